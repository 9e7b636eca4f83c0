import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { FollowUpRepository, FollowUpTransitions, canFollowUpTransition } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { AuditLogRepository } from '../audit-log.repository';
import { FollowUpFilter, FollowUpListRepository } from '../follow-up-list.repository';
import { FOLLOW_UP_ROLES, RecordAccess } from '../record-access';
import { RecordRepository } from '../record.repository';
import { FollowUpView, toFollowUpView } from '../records.views';
import { Page } from './list-records';

/** Follow-ups per operator and station, earliest due first, with due and overdue. */
@Injectable()
export class ListFollowUps {
  constructor(
    private readonly followUps: FollowUpListRepository,
    private readonly access: RecordAccess,
  ) {}

  async execute(user: AuthUser, filter: FollowUpFilter): Promise<Page<FollowUpView>> {
    const { rows, total } = await this.followUps.list(user, await this.access.scopeOf(user), filter);
    return { items: rows.map(toFollowUpView), total, page: filter.page, pageSize: filter.pageSize };
  }
}

/**
 * Completes a follow-up (its `complete` transition: from scheduled or contact_created), linking the contact in which
 * it was made (the outbound callback, or the caller's own call back). The linked contact must be visible to the
 * person completing it and be the same caller's.
 */
@Injectable()
export class CompleteFollowUp {
  constructor(
    private readonly db: Db,
    private readonly followUps: FollowUpListRepository,
    private readonly followUpRows: FollowUpRepository,
    private readonly records: RecordRepository,
    private readonly access: RecordAccess,
    private readonly audit: AuditLogRepository,
  ) {}

  async execute(id: string, user: AuthUser, input: { contactId?: string; note?: string }): Promise<FollowUpView> {
    const scope = await this.access.scopeOf(user);
    await this.db.tx(async (tx) => {
      const f = await this.followUps.lock(id, tx);
      const visible =
        f &&
        (f.worker_id === user.id ||
          (await this.access.canSee(user, { stationId: f.station_id, assignedWorkerId: null }, scope, tx)));
      if (!f || !visible) throw new NotFoundException('Follow-up not found');
      this.access.requireRole(user, FOLLOW_UP_ROLES, 'Completing a follow-up');
      if (!canFollowUpTransition('complete', f.status)) {
        const from = FollowUpTransitions.complete.from.join(' or ');
        throw new ConflictException(`Follow-up is ${f.status}: only a follow-up still ${from} can be completed`);
      }
      const contactId = input.contactId ?? f.contact_id;
      if (!contactId) {
        throw new BadRequestException(['contactId is required: the contact in which the follow-up was made']);
      }
      if (contactId === f.source_contact_id) {
        throw new BadRequestException(['contactId must be the follow-up contact, not the contact that asked for it']);
      }
      const linked = await this.records.find(contactId, tx);
      const seen =
        linked &&
        (await this.access.canSee(
          user,
          { stationId: linked.station_id, assignedWorkerId: linked.assigned_worker_id, authorId: linked.author_id },
          scope,
          tx,
        ));
      if (!linked || !seen) throw new NotFoundException('contactId: contact not found');
      if (linked.caller_number_hash && f.caller_number_hash && linked.caller_number_hash !== f.caller_number_hash) {
        throw new BadRequestException(['contactId must be a contact with the same caller']);
      }
      if (!(await this.followUpRows.transition(tx, id, 'complete', { contactId: input.contactId ?? null }))) {
        throw new ConflictException('The follow-up changed meanwhile; reload it');
      }
      await this.audit.write(tx, {
        actor: user,
        action: 'follow_up.complete',
        subjectType: 'follow_up',
        subjectId: id,
        contactId: f.source_contact_id,
        stationId: f.station_id,
        detail: { linkedContactId: contactId, note: input.note ?? null },
      });
    });
    return toFollowUpView((await this.followUps.find(id))!);
  }
}
