import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Clock } from '@kapok/common';
import type { AdminOrgUnitView } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { OrgLevel, OrgRepository, OrgUnitRecord, isPathUnder } from '@kapok/org';
import { AdminAuditTrail, diffForAudit } from '../admin-audit';
import { AdminAccess, AdminScope } from '../admin-scope';
import { toAdminUnitView } from '../admin.views';

/** The levels a unit of each level may be created or moved below (a city has no parent; districts may skip regions). */
export const PARENT_LEVELS: Readonly<Record<Exclude<OrgLevel, 'city'>, readonly OrgLevel[]>> = {
  region: ['city'],
  district: ['region', 'city'],
  station: ['district'],
  point: ['station'],
};

const LEVEL_NAMES: Record<OrgLevel, string> = {
  city: 'a city',
  region: 'a region',
  district: 'a district',
  station: 'a station',
  point: 'a point',
};

/** 400 unless a unit of `level` may sit below `parent`. */
function checkParentLevel(level: OrgLevel, parent: OrgUnitRecord): void {
  if (level === 'city') throw new BadRequestException(['level: a city is the root of the tree and has no parent']);
  const allowed = PARENT_LEVELS[level];
  if (!allowed.includes(parent.level)) {
    throw new BadRequestException([
      `parentId: ${LEVEL_NAMES[level]} belongs to ${allowed.map((l) => LEVEL_NAMES[l]).join(' or ')}; ` +
        `${parent.name} is ${LEVEL_NAMES[parent.level]}`,
    ]);
  }
}

/**
 * The unit a change puts something below (`field` of the body): unknown → 404, outside the admin's reach → 403
 * (nobody extends their reach), closed → 409. Locked FOR SHARE: it is not closed until the caller's transaction ends.
 */
export async function openTargetUnit(
  org: OrgRepository,
  scope: AdminScope,
  unitId: string,
  field: string,
  tx: Tx,
): Promise<OrgUnitRecord> {
  const unit = await org.lockUnit(unitId, 'share', tx);
  if (!unit) throw new NotFoundException(`${field}: org unit ${unitId} not found`);
  if (!scope.canManage(unit)) {
    throw new ForbiddenException(`${field}: ${unit.name} is outside the part of the organisation you administer`);
  }
  if (unit.closedAt) throw new ConflictException(`${field}: ${unit.name} is closed`);
  return unit;
}

/** What an audit row says of a unit. */
const auditFields = (u: OrgUnitRecord) => ({
  name: u.name,
  level: u.level,
  parentId: u.parentId,
  code: u.code,
  closed: u.closedAt !== null,
});

/** `GET /api/admin/org-units`: the admin's part of the tree, in tree order, with codes, closed flags, attachments. */
@Injectable()
export class ListAdminOrgUnits {
  constructor(
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
  ) {}

  async execute(user: AuthUser, opts: { includeClosed?: boolean } = {}): Promise<AdminOrgUnitView[]> {
    const scope = await this.access.scopeOf(user);
    const units = await this.org.unitRecordsIn(scope.reach);
    return units.filter((u) => opts.includeClosed !== false || !u.closedAt).map((u) => toAdminUnitView(u, u.attached));
  }
}

export interface CreateOrgUnitInput {
  parentId: string;
  level: Exclude<OrgLevel, 'city'>;
  name: string;
  code?: string;
}

/** `POST /api/admin/org-units`: a region, district, station or point below an open parent of the right level. */
@Injectable()
export class CreateOrgUnit {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
    private readonly trail: AdminAuditTrail,
  ) {}

  async execute(user: AuthUser, input: CreateOrgUnitInput): Promise<AdminOrgUnitView> {
    return this.db.tx(async (tx) => {
      const scope = await this.access.scopeOf(user, tx);
      const parent = await openTargetUnit(this.org, scope, input.parentId, 'parentId', tx);
      checkParentLevel(input.level, parent);
      const unit = await this.org.createUnitUnlessCodeTaken(
        { name: input.name, level: input.level, parentId: parent.id, code: input.code ?? null },
        tx,
      );
      if (unit === 'codeTaken') throw new ConflictException(`code: ${input.code} is already another unit's code`);
      await this.trail.record(tx, user, {
        action: 'admin.org_unit.create',
        subjectType: 'org_unit',
        subjectId: unit.id,
        unitId: unit.id,
        before: null,
        after: auditFields(unit),
      });
      return toAdminUnitView(unit, await this.org.attachmentsOf(unit.id, tx));
    });
  }
}

export interface UpdateOrgUnitInput {
  name?: string;
  /** A new code; null removes it. */
  code?: string | null;
  /** Moves the unit (and its subtree) below this parent. */
  parentId?: string;
  /** true closes the unit (refused while anything is attached), false reopens it. */
  closed?: boolean;
}

/**
 * `PATCH /api/admin/org-units/:id`: rename, recode, move (the subtree's paths in the same transaction), close or
 * reopen. One audit row with the fields changed, before → after. A unit outside the admin's reach is 404; moving or
 * closing the root of one's own reach, or moving below a unit outside it, 403.
 */
@Injectable()
export class UpdateOrgUnit {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
    private readonly trail: AdminAuditTrail,
    private readonly clock: Clock,
  ) {}

  async execute(user: AuthUser, id: string, input: UpdateOrgUnitInput): Promise<AdminOrgUnitView> {
    return this.db.tx(async (tx) => {
      const scope = await this.access.scopeOf(user, tx);
      const unit = await this.org.lockUnit(id, 'update', tx);
      if (!unit || !scope.canManage(unit)) throw new NotFoundException(`Org unit ${id} not found`);
      const before = auditFields(unit);

      if (input.parentId !== undefined && input.parentId !== unit.parentId)
        await this.move(scope, unit, input.parentId, tx);
      if (input.name !== undefined || input.code !== undefined) {
        const changed = await this.org.updateUnit(id, { name: input.name, code: input.code }, tx);
        if (changed === 'codeTaken') throw new ConflictException(`code: ${input.code} is already another unit's code`);
      }
      if (input.closed !== undefined && input.closed !== (unit.closedAt !== null)) {
        await (input.closed ? this.close(scope, unit, tx) : this.reopen(scope, unit, tx));
      }

      const after = (await this.org.findUnit(id, tx))!;
      const change = diffForAudit(before, auditFields(after));
      if (change.changed) {
        await this.trail.record(tx, user, {
          action: 'admin.org_unit.update',
          subjectType: 'org_unit',
          subjectId: id,
          unitId: id,
          before: change.before,
          after: change.after,
        });
      }
      return toAdminUnitView(after, await this.org.attachmentsOf(id, tx));
    });
  }

  private async move(scope: AdminScope, unit: OrgUnitRecord, parentId: string, tx: Tx): Promise<void> {
    if (unit.level === 'city')
      throw new BadRequestException(['parentId: a city is the root of the tree and has no parent']);
    if (!scope.canRestructure(unit)) {
      throw new ForbiddenException(`parentId: moving ${unit.name} needs an admin of the unit above it`);
    }
    const parent = await openTargetUnit(this.org, scope, parentId, 'parentId', tx);
    if (isPathUnder(parent.path, unit.path)) {
      throw new BadRequestException([`parentId: ${unit.name} cannot move below itself (${parent.name})`]);
    }
    checkParentLevel(unit.level, parent);
    await this.org.moveUnit(unit.id, parent.id, tx);
  }

  /** Closes the unit, unless something is still attached (409 naming it). Never deletes: its history stays. */
  private async close(scope: AdminScope, unit: OrgUnitRecord, tx: Tx): Promise<void> {
    if (!scope.canRestructure(unit)) {
      throw new ForbiddenException(`closed: closing ${unit.name} needs an admin of the unit above it`);
    }
    const a = await this.org.attachmentsOf(unit.id, tx);
    const still: string[] = [];
    const some = (n: number, names: string[]) => `${names.join(', ')}${n > names.length ? `, … (${n} in all)` : ''}`;
    if (a.openLines) still.push(`${a.openLines} open line(s): ${some(a.openLines, a.names.lines)}`);
    const people = a.activePeople + a.supervisors;
    if (people) still.push(`${people} active people: ${some(people, a.names.people)}`);
    if (a.openUnits) still.push(`${a.openUnits} open unit(s): ${some(a.openUnits, a.names.units)}`);
    if (still.length) {
      throw new ConflictException(
        `closed: ${unit.name} cannot be closed while it still has ${still.join('; ')} ` +
          '(move or suspend the lines, move or deactivate the people, close or move the units first)',
      );
    }
    await this.org.updateUnit(unit.id, { closedAt: this.clock.now() }, tx);
  }

  private async reopen(scope: AdminScope, unit: OrgUnitRecord, tx: Tx): Promise<void> {
    if (!scope.canRestructure(unit)) {
      throw new ForbiddenException(`closed: reopening ${unit.name} needs an admin of the unit above it`);
    }
    if (unit.parentId) {
      const parent = await this.org.lockUnit(unit.parentId, 'share', tx);
      if (parent?.closedAt) throw new ConflictException(`closed: ${parent.name} (above it) is closed; reopen it first`);
    }
    await this.org.updateUnit(unit.id, { closedAt: null }, tx);
  }
}
