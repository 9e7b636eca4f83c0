import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser, ROLES, Role } from '@kapok/auth';
import { Tx } from '@kapok/database';
import { OrgAccess, OrgRepository, OrgScope, OrgUnitWithPath, SqlParams } from '@kapok/org';

/*
 * Delegation by scope: what an admin may change, and what they may grant. The one access policy stays OrgScope
 * (libs/org): an admin's reach is OrgAccess.adminReachOf — their home unit's subtree, the whole organisation from
 * the city. On top of it:
 * - an admin manages (reads in the admin screens, changes) the units, lines, keys and people of units in reach;
 *   anything outside is answered 404, as if it did not exist;
 * - a unit's place in the tree (move, close) belongs to whoever reaches its parent: an admin cannot move or close
 *   the root of their own reach (a district admin cannot close or move their district);
 * - nobody grants a role or a scope wider than their own: a role ranked above their own, or a unit outside their
 *   reach (a district admin cannot create a city-level account nor an admin above their district) → 403.
 */

/** Roles from the narrowest to the widest (ROLES' order): one may grant a role up to one's own. */
export const ROLE_RANK: Readonly<Record<Role, number>> = Object.fromEntries(ROLES.map((r, i) => [r, i])) as Record<
  Role,
  number
>;

/** A unit as the policy reads it: its id and materialised path. */
export type ScopedUnit = Pick<OrgUnitWithPath, 'id' | 'path'>;

/** What one admin may administer, built once per request by AdminAccess.scopeOf. */
export class AdminScope {
  constructor(
    readonly admin: Pick<AuthUser, 'id' | 'role' | 'orgUnitId'>,
    /** The admin's reach (OrgAccess.adminReachOf). */
    readonly reach: OrgScope,
  ) {}

  /** The whole organisation (an admin at the city): also rows that belong to no unit. */
  get wholeOrg(): boolean {
    return this.reach.wholeOrg;
  }

  /** Whether the admin manages this unit and what belongs to it (its lines, keys, people). */
  canManage(unit: ScopedUnit): boolean {
    return this.reach.contains(unit);
  }

  /** Whether the admin may move or close this unit: it is in reach and is not the root of their reach. */
  canRestructure(unit: ScopedUnit): boolean {
    return this.reach.wholeOrg || (this.canManage(unit) && unit.path !== this.reach.rootPath);
  }

  /** Whether the admin may give someone this role at this unit (never wider than their own role or reach). */
  canGrant(role: Role, unit: ScopedUnit): boolean {
    return ROLE_RANK[role] <= ROLE_RANK[this.admin.role] && this.canManage(unit);
  }

  /** SQL condition "the org_units row `alias` is in reach" (binds into `params`; the whole organisation: TRUE). */
  sql(alias: string, params: SqlParams): string {
    return this.reach.sql(alias, params);
  }
}

/** Builds AdminScopes and answers the common questions with the HTTP answer the policy gives (404 / 403). */
@Injectable()
export class AdminAccess {
  constructor(
    private readonly access: OrgAccess,
    private readonly org: OrgRepository,
  ) {}

  /** The admin's scope. Only admins administer (403 for anyone else, whatever route they came by). */
  async scopeOf(user: Pick<AuthUser, 'id' | 'role' | 'orgUnitId'>, tx?: Tx): Promise<AdminScope> {
    if (user.role !== 'admin') throw new ForbiddenException('Administration needs the admin role');
    return new AdminScope(user, await this.access.adminReachOf(user, tx));
  }

  /** The unit, when it exists and is in reach; 404 otherwise (`what` names it in the message, e.g. 'Org unit'). */
  async unitInReach(scope: AdminScope, unitId: string, tx?: Tx, what = 'Org unit'): Promise<OrgUnitWithPath> {
    const unit = await this.org.findUnit(unitId, tx);
    if (!unit || !scope.canManage(unit)) throw new NotFoundException(`${what} ${unitId} not found`);
    return unit;
  }

  /**
   * The unit a role is granted at, when the admin may grant that role there: unknown unit → 404 naming `field`;
   * a wider role or a unit outside the admin's reach → 403; a closed unit → 409.
   */
  async requireGrant(scope: AdminScope, role: Role, unitId: string, tx?: Tx, field = 'orgUnitId') {
    // In a transaction the unit is locked FOR SHARE: it is not closed before the caller's transaction ends.
    const unit = tx ? await this.org.lockUnit(unitId, 'share', tx) : await this.org.findUnit(unitId);
    if (!unit) throw new NotFoundException(`${field}: org unit ${unitId} not found`);
    if (ROLE_RANK[role] > ROLE_RANK[scope.admin.role]) {
      throw new ForbiddenException(`role: you cannot grant the role ${role}, which is wider than your own`);
    }
    if (!scope.canGrant(role, unit)) {
      throw new ForbiddenException(`${field}: ${unit.name} is outside the part of the organisation you administer`);
    }
    if (unit.closedAt) throw new ConflictException(`${field}: ${unit.name} is closed`);
    return unit;
  }
}
