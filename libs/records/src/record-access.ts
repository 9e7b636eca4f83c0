import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser, Role } from '@kapok/auth';
import { Db, Tx } from '@kapok/database';
import { OrgRepository, OrgScope } from '@kapok/org';
import { Params } from './sql';

/**
 * Who may see and do what with records. Seeing follows the organisation tree: a person sees the records of the
 * stations in their part of the tree (their home unit's subtree, plus the stations a supervisor covers), and the
 * contacts they handled themselves (an operator who took an overflow contact of another station); admins see
 * everything. Anything else answers 404, as if it did not exist. What a person may *do* is then a question of role
 * (403).
 */
@Injectable()
export class RecordAccess {
  constructor(
    private readonly org: OrgRepository,
    private readonly db: Db,
  ) {}

  /**
   * The reader's part of the tree; null means everything (admins). Read it before opening a transaction: the
   * checks below then run on the transaction's own connection (a transaction waiting for a row lock never holds
   * one connection while asking the pool for another).
   */
  async scopeOf(user: AuthUser): Promise<OrgScope | null> {
    return user.role === 'admin' ? null : this.org.scopeOf(user);
  }

  async unitInScope(unitId: string, scope: OrgScope | null, tx?: Tx): Promise<boolean> {
    if (scope === null) return true;
    const row = await this.db.one(
      `SELECT 1 FROM org_units u WHERE u.id = $1 AND (u.path LIKE $2 || '%' OR u.id = ANY($3::uuid[]))`,
      [unitId, scope.rootPath, scope.extraUnitIds],
      tx,
    );
    return !!row;
  }

  /** Whether the contact (its station, its operator, the record's author) is visible to the user. */
  async canSee(
    user: AuthUser,
    c: { stationId: string; assignedWorkerId: string | null; authorId?: string | null },
    scope: OrgScope | null,
    tx?: Tx,
  ): Promise<boolean> {
    if (user.role === 'admin') return true;
    if (c.assignedWorkerId === user.id || c.authorId === user.id) return true;
    return this.unitInScope(c.stationId, scope, tx);
  }

  async ensureVisible<T>(
    user: AuthUser,
    scope: OrgScope | null,
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
  visibleSql(p: Params, user: AuthUser, scope: OrgScope | null, station: string, assigned: string, author: string) {
    if (scope === null) return 'TRUE';
    const me = p.add(user.id);
    return `(${station}.path LIKE ${p.add(scope.rootPath)} || '%' OR ${station}.id = ANY(${p.add(scope.extraUnitIds)}::uuid[])
             OR ${assigned} = ${me} OR ${author} = ${me})`;
  }

  /** SQL condition "the unit (alias of org_units) is in the scope". */
  unitSql(p: Params, scope: OrgScope | null, unit: string): string {
    if (scope === null) return 'TRUE';
    return `(${unit}.path LIKE ${p.add(scope.rootPath)} || '%' OR ${unit}.id = ANY(${p.add(scope.extraUnitIds)}::uuid[]))`;
  }

  requireRole(user: AuthUser, roles: readonly Role[], what: string): void {
    if (!roles.includes(user.role)) throw new ForbiddenException(`${what} needs one of the roles: ${roles.join(', ')}`);
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
