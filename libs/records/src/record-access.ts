import { Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser, Role, requireRole } from '@kapok/auth';
import { Tx } from '@kapok/database';
import { OrgAccess, OrgScope } from '@kapok/org';
import { Params } from './sql';

/**
 * Who may see and do what with records. Seeing follows the organisation tree (OrgScope, the org access policy: a
 * person sees the records of the stations in their part of the tree, admins everything), plus the contacts they
 * handled themselves (an operator who took an overflow contact of another station). Anything else answers 404, as
 * if it did not exist. What a person may *do* is then a question of role (403).
 */
@Injectable()
export class RecordAccess {
  constructor(private readonly org: OrgAccess) {}

  /**
   * The reader's part of the tree. Read it before opening a transaction: the checks below then run on the
   * transaction's own connection (a transaction waiting for a row lock never holds one connection while asking the
   * pool for another).
   */
  async scopeOf(user: AuthUser): Promise<OrgScope> {
    return this.org.scopeOf(user);
  }

  async unitInScope(unitId: string, scope: OrgScope, tx?: Tx): Promise<boolean> {
    return this.org.containsUnit(scope, unitId, tx);
  }

  /** Whether the contact (its station, its operator, the record's author) is visible to the user. */
  async canSee(
    user: AuthUser,
    c: { stationId: string; assignedWorkerId: string | null; authorId?: string | null },
    scope: OrgScope,
    tx?: Tx,
  ): Promise<boolean> {
    if (scope.wholeOrg) return true;
    if (c.assignedWorkerId === user.id || c.authorId === user.id) return true;
    return this.unitInScope(c.stationId, scope, tx);
  }

  async ensureVisible<T>(
    user: AuthUser,
    scope: OrgScope,
    row: T | undefined,
    subject: (r: T) => { stationId: string; assignedWorkerId: string | null; authorId?: string | null },
    opts: { what?: string; tx?: Tx } = {},
  ): Promise<T> {
    if (row && (await this.canSee(user, subject(row), scope, opts.tx))) return row;
    throw new NotFoundException(`${opts.what ?? 'Record'} not found`);
  }

  /**
   * SQL condition "the contact is visible": `station` is the alias of the contact's station (org_units), the
   * other two are SQL expressions of the contact's operator and the record's author.
   */
  visibleSql(p: Params, user: AuthUser, scope: OrgScope, station: string, assigned: string, author: string) {
    if (scope.wholeOrg) return 'TRUE';
    const inScope = scope.sql(station, p);
    const me = p.add(user.id);
    return `(${inScope} OR ${assigned} = ${me} OR ${author} = ${me})`;
  }

  requireRole(user: AuthUser, roles: readonly Role[], what: string): void {
    requireRole(user, roles, what);
  }
}

/**
 * Roles that may read a caller's full number: the people who call back (operators, for the contacts they handle,
 * follow up or deliver aid for; coordinators and supervisors, in their part of the tree). Never managers (they
 * work with figures) nor admins (they run the system, not the service).
 */
export const FULL_NUMBER_ROLES: readonly Role[] = ['operator', 'coordinator', 'supervisor'];
/** Roles that move material aid along (the delivering station's people). */
export const AID_ROLES: readonly Role[] = ['operator', 'coordinator', 'supervisor'];
/** Roles that complete follow-ups. */
export const FOLLOW_UP_ROLES: readonly Role[] = ['operator', 'coordinator', 'supervisor'];
/** Roles that read the audit log (admins everything; supervisors their part of the tree). */
export const AUDIT_ROLES: readonly Role[] = ['admin', 'supervisor'];
