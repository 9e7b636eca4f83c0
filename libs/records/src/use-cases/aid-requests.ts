import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { AppConfig } from '@kapok/config';
import { Db, Tx } from '@kapok/database';
import { OrgScope } from '@kapok/org';
import { AidFilter, AidRequestRepository, AidRequestRow } from '../aid-request.repository';
import { AidStatus, AidTransitionName, AidTransitions, canAidTransition } from '../aid-state-machine';
import { AuditLogRepository } from '../audit-log.repository';
import { AID_ROLES, RecordAccess } from '../record-access';
import { AidRequestView, toAidRequestView } from '../records.views';
import { Page } from './list-records';

/** Visible: the delivering or the requesting station is in the reader's part of the tree (admins: all). */
async function sides(access: RecordAccess, a: AidRequestRow, scope: OrgScope, tx?: Tx) {
  return {
    delivering: await access.unitInScope(a.delivering_station_id, scope, tx),
    origin: await access.unitInScope(a.origin_station_id, scope, tx),
  };
}

/** Stations' lists of material-aid requests: open ones by default, oldest first, overdue ones flagged. */
@Injectable()
export class ListAidRequests {
  constructor(
    private readonly aid: AidRequestRepository,
    private readonly access: RecordAccess,
    private readonly config: AppConfig,
  ) {}

  async execute(user: AuthUser, filter: AidFilter): Promise<Page<AidRequestView>> {
    const scope = await this.access.scopeOf(user);
    const { rows, total } = await this.aid.list(scope, this.config.get('AID_OVERDUE_HOURS'), filter);
    return { items: rows.map((r) => toAidRequestView(r)), total, page: filter.page, pageSize: filter.pageSize };
  }
}

/** One aid request with the history of its steps. */
@Injectable()
export class GetAidRequest {
  constructor(
    private readonly aid: AidRequestRepository,
    private readonly access: RecordAccess,
    private readonly config: AppConfig,
  ) {}

  async execute(id: string, user: AuthUser): Promise<AidRequestView> {
    const a = await this.aid.find(id, this.config.get('AID_OVERDUE_HOURS'));
    if (!a) throw new NotFoundException('Aid request not found');
    const s = await sides(this.access, a, await this.access.scopeOf(user));
    if (!s.delivering && !s.origin) throw new NotFoundException('Aid request not found');
    return toAidRequestView(a, await this.aid.steps([a.id]));
  }
}

/**
 * Moves a material-aid request along: arrange and deliver (the delivering station's operators, coordinators and
 * supervisors), cancel with a reason (the delivering or the requesting station). A step the request's state does
 * not allow is 409 (delivering what was never arranged, anything after delivered or cancelled).
 */
@Injectable()
export class ChangeAidRequest {
  constructor(
    private readonly db: Db,
    private readonly aid: AidRequestRepository,
    private readonly access: RecordAccess,
    private readonly audit: AuditLogRepository,
    private readonly config: AppConfig,
  ) {}

  async execute(id: string, name: AidTransitionName, user: AuthUser, note?: string): Promise<AidRequestView> {
    const hours = this.config.get('AID_OVERDUE_HOURS');
    if (name === 'cancel' && !note?.trim()) throw new BadRequestException(['reason must explain the cancellation']);
    const scope = await this.access.scopeOf(user);
    await this.db.tx(async (tx) => {
      const a = await this.aid.lock(id, hours, tx);
      if (!a) throw new NotFoundException('Aid request not found');
      const s = await sides(this.access, a, scope, tx);
      if (!s.delivering && !s.origin) throw new NotFoundException('Aid request not found');
      this.access.requireRole(user, AID_ROLES, 'Changing a material-aid request');
      if (!s.delivering && !(name === 'cancel' && s.origin)) {
        throw new ForbiddenException('Only the delivering station can arrange or deliver this request');
      }
      if (!canAidTransition(name, a.status)) throw conflict(name, a.status);
      const done = await this.aid.transition(tx, id, name, user.id, note?.trim() || null);
      if (!done) throw conflict(name, (await this.aid.find(id, hours, tx))!.status);
      await this.audit.write(tx, {
        actor: user,
        action: `aid.${name}`,
        subjectType: 'aid_request',
        subjectId: id,
        contactId: a.contact_id,
        stationId: a.delivering_station_id,
        detail: { from: done.from, to: AidTransitions[name].to, note: note?.trim() || null },
      });
    });
    const after = (await this.aid.find(id, hours))!;
    return toAidRequestView(after, await this.aid.steps([id]));
  }
}

function conflict(name: AidTransitionName, status: AidStatus) {
  const from = AidTransitions[name].from.join(' or ');
  return new ConflictException(`Aid request is ${status}: "${name}" needs it ${from}`);
}
