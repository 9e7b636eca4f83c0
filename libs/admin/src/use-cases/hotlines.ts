import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Clock } from '@kapok/common';
import type { AdminHotlineView, HotlineImportView } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { HotlineWithStation, OrgRepository, OrgUnitRecord } from '@kapok/org';
import { AdminAuditTrail, diffForAudit } from '../admin-audit';
import { AdminAccess, AdminScope } from '../admin-scope';
import { toAdminHotlineView } from '../admin.views';
import { parseHotlineCsv } from '../hotline-csv';
import { openTargetUnit } from './org-units';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an audit row says of a line. */
const auditFields = (h: HotlineWithStation) => ({
  number: h.number,
  name: h.name,
  stationId: h.stationId,
  suspended: h.suspendedAt !== null,
});

/** The station a line is put at (`field`): 404 unknown, 403 outside reach, 409 closed, 400 not a station. */
async function targetStation(org: OrgRepository, scope: AdminScope, id: string, field: string, tx: Tx) {
  const unit = await openTargetUnit(org, scope, id, field, tx);
  if (unit.level !== 'station') {
    throw new BadRequestException([`${field}: lines belong to stations; ${unit.name} is a ${unit.level}`]);
  }
  return unit;
}

/** The line, when it exists and its station is in the admin's reach; 404 otherwise. */
async function lineInReach(org: OrgRepository, scope: AdminScope, id: string, tx?: Tx) {
  const line = await org.findHotline(id, tx);
  if (!line || !scope.canManage({ id: line.stationId, path: line.stationPath })) {
    throw new NotFoundException(`Hotline ${id} not found`);
  }
  return line;
}

/** `GET /api/admin/hotlines`: the lines at stations in the admin's reach, by number. */
@Injectable()
export class ListAdminHotlines {
  constructor(
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
  ) {}

  async execute(user: AuthUser): Promise<AdminHotlineView[]> {
    const scope = await this.access.scopeOf(user);
    return (await this.org.hotlinesWithStationIn(scope.reach)).map(toAdminHotlineView);
  }
}

/** `POST /api/admin/hotlines`: a line at an open station in reach; a number already used → 409. */
@Injectable()
export class CreateHotline {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
    private readonly trail: AdminAuditTrail,
  ) {}

  async execute(user: AuthUser, input: { number: string; name: string; stationId: string }) {
    return this.db.tx(async (tx) => {
      const scope = await this.access.scopeOf(user, tx);
      const station = await targetStation(this.org, scope, input.stationId, 'stationId', tx);
      const created = await this.org.createHotlineUnlessTaken(
        { number: input.number, name: input.name, stationId: station.id },
        tx,
      );
      if (!created) throw new ConflictException(`number: ${input.number} is already a line`);
      const line = (await this.org.findHotline(created.id, tx))!;
      await this.trail.record(tx, user, {
        action: 'admin.hotline.create',
        subjectType: 'hotline',
        subjectId: line.id,
        unitId: line.stationId,
        before: null,
        after: auditFields(line),
      });
      return toAdminHotlineView(line);
    });
  }
}

/**
 * `PATCH /api/admin/hotlines/:id`: rename, move to another station, suspend (its intake is then refused, 409) or
 * resume. Resuming a line of a closed station is refused (409): move it first.
 */
@Injectable()
export class UpdateHotline {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
    private readonly trail: AdminAuditTrail,
    private readonly clock: Clock,
  ) {}

  async execute(user: AuthUser, id: string, input: { name?: string; stationId?: string; suspended?: boolean }) {
    return this.db.tx(async (tx) => {
      const scope = await this.access.scopeOf(user, tx);
      const line = await lineInReach(this.org, scope, id, tx);
      let station: OrgUnitRecord | undefined;
      if (input.stationId !== undefined && input.stationId !== line.stationId) {
        station = await targetStation(this.org, scope, input.stationId, 'stationId', tx);
      }
      const wasSuspended = line.suspendedAt !== null;
      let suspendedAt: Date | null | undefined;
      if (input.suspended !== undefined && input.suspended !== wasSuspended) {
        suspendedAt = input.suspended ? this.clock.now() : null;
      }
      // A line that takes intake (resumed, or moved while open) must be at an open station.
      if (!station && suspendedAt === null) {
        const current = await this.org.lockUnit(line.stationId, 'share', tx);
        if (current?.closedAt) {
          throw new ConflictException(`suspended: ${current.name} is closed; move the line to an open station first`);
        }
      }
      const after = (await this.org.updateHotline(id, { name: input.name, stationId: station?.id, suspendedAt }, tx))!;
      const change = diffForAudit(auditFields(line), auditFields(after));
      if (change.changed) {
        await this.trail.record(tx, user, {
          action: 'admin.hotline.update',
          subjectType: 'hotline',
          subjectId: id,
          unitId: after.stationId,
          before: change.before,
          after: change.after,
        });
      }
      return toAdminHotlineView(after);
    });
  }
}

/**
 * `POST /api/admin/hotlines/import`: lines from a CSV (`number,stationCode,name`; the station by its code or id),
 * all or nothing: any bad row → 400 naming every bad row, and nothing is written.
 */
@Injectable()
export class ImportHotlines {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
    private readonly trail: AdminAuditTrail,
  ) {}

  async execute(user: AuthUser, csv: string): Promise<HotlineImportView> {
    const { rows, errors, overCap } = parseHotlineCsv(csv);
    if (overCap) throw new PayloadTooLargeException(errors[0]);
    return this.db.tx(async (tx) => {
      const scope = await this.access.scopeOf(user, tx);
      const codes = rows.map((r) => r.stationCode);
      const byCode = new Map((await this.org.findUnitsByCode(codes, tx)).map((u) => [u.code!.toLowerCase(), u]));
      const byId = new Map(
        (
          await this.org.findUnits(
            codes.filter((c) => UUID.test(c)),
            tx,
          )
        ).map((u) => [u.id, u]),
      );
      const taken = new Set(
        (
          await this.org.findHotlinesByNumber(
            rows.map((r) => r.number),
            tx,
          )
        ).map((h) => h.number),
      );
      const stationOf = new Map<number, OrgUnitRecord>();
      for (const r of rows) {
        const unit = byCode.get(r.stationCode.toLowerCase()) ?? byId.get(r.stationCode.toLowerCase());
        const problems: string[] = [];
        if (taken.has(r.number)) problems.push(`number ${r.number} is already a line`);
        // unknown and outside the admin's reach read the same: nothing is said of units one does not administer
        if (!unit || !scope.canManage(unit))
          problems.push(`stationCode ${r.stationCode} is not a station you administer`);
        else if (unit.level !== 'station')
          problems.push(`stationCode ${r.stationCode} is a ${unit.level}, not a station`);
        else if (unit.closedAt) problems.push(`stationCode ${r.stationCode}: ${unit.name} is closed`);
        else stationOf.set(r.line, unit);
        if (problems.length) errors.push(`line ${r.line}: ${problems.join('; ')}`);
      }
      if (errors.length) {
        errors.sort((a, b) => lineOf(a) - lineOf(b));
        throw new BadRequestException(errors.slice(0, 100));
      }
      // the stations stay open until the lines are in
      for (const id of new Set([...stationOf.values()].map((u) => u.id))) await this.org.lockUnit(id, 'share', tx);
      const created: AdminHotlineView[] = [];
      for (const r of rows) {
        const station = stationOf.get(r.line)!;
        const line = await this.org.createHotlineUnlessTaken(
          { number: r.number, name: r.name, stationId: station.id },
          tx,
        );
        // taken meanwhile by someone else: the whole import is rolled back
        if (!line) throw new ConflictException(`line ${r.line}: number ${r.number} is already a line`);
        const view = { ...line, stationName: station.name, stationCode: station.code, stationPath: station.path };
        await this.trail.record(tx, user, {
          action: 'admin.hotline.create',
          subjectType: 'hotline',
          subjectId: line.id,
          unitId: station.id,
          before: null,
          after: auditFields(view),
          detail: { via: 'import' },
        });
        created.push(toAdminHotlineView(view));
      }
      return { created: created.length, hotlines: created };
    });
  }
}

/** The line number a row error starts with (`line 7: …`); file-wide errors first. */
const lineOf = (error: string) => Number(/^line (\d+)/.exec(error)?.[1] ?? 0);
