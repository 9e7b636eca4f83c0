import { Injectable } from '@nestjs/common';
import type { AuthUser, Role } from '@kapok/auth';
import type { Tx } from '@kapok/database';
import { OrgRepository } from './org.repository';

/*
 * Who may see what in the organisation tree: the one access policy. Every use-case that limits what a person sees to
 * "their part of the tree" asks an OrgScope (built once per request from the signed-in person by OrgAccess) instead
 * of testing paths itself, and every SQL test "this unit lies below that one" is written by the helpers here.
 *
 * The rule:
 * - an admin homed at a root of the tree (the city) reaches the whole organisation (WHOLE_ORG_ROLES); an admin
 *   homed below it (a district or station admin: delegation) reaches their home unit's subtree, as they administer it;
 * - everyone else (operator, coordinator, supervisor, manager) reaches their home unit and everything below it —
 *   an operator or coordinator of a station that station (and its points), a district coordinator the district, a
 *   manager at the city the city — plus, exactly, the stations listed for them in supervisor_stations (the
 *   supervised stations, which may lie outside their home unit; the points below such a station are not added);
 * - a person whose home unit does not exist reaches nothing.
 * Administering is narrower than seeing (OrgAccess.adminReachOf, used by libs/admin's AdminScope): an admin
 * administers their home unit's subtree, the whole organisation only from the root (the city).
 * Statistics, the live board and the lists of units and hotlines show a person's own part of the tree
 * (OrgAccess.ownPartOf), for admins too: an admin at the city sees the city there.
 *
 * Units are tested by their materialised path ('/<city id>/<region id>/…/<own id>/', see OrgRepository.createUnit):
 * a unit is below a root when its path starts with the root's path.
 */

/** Roles that reach the whole organisation when homed at a root of the tree (the city). */
export const WHOLE_ORG_ROLES: readonly Role[] = ['admin'];

/** Whether a unit's materialised path is a root's ('/<id>/'): a unit with no parent. */
export const isRootPath = (path: string | undefined): boolean => !!path && /^\/[^/]+\/$/.test(path);

/** The path of a person whose home unit does not exist: no unit lies below it. */
const NOWHERE = '/nowhere/';

/** Where a query collects its positional parameters: an array (the placeholder is its new length) or a collector. */
export type SqlParams = unknown[] | { add(value: unknown): string };

/** Adds a parameter to the query and returns its placeholder ($n). */
export function bindParam(params: SqlParams, value: unknown): string {
  if (!Array.isArray(params)) return params.add(value);
  params.push(value);
  return `$${params.length}`;
}

/**
 * SQL condition "the unit whose path is `path` is `rootPath`'s unit or below it" (both SQL expressions). LIKE on a
 * prefix keeps the text_pattern_ops index on org_units.path usable; paths hold only uuids and slashes, never a
 * LIKE wildcard.
 */
export const pathUnderSql = (path: string, rootPath: string): string => `${path} LIKE ${rootPath} || '%'`;

/**
 * The same condition as a range in the "C" collation, for a `path` column declared `COLLATE "C"` with a btree index
 * (agent_states.station_path): every path below '/a/b/' sorts in ['/a/b/', '/a/b0') (kapok_path_end, migration
 * 1765400000000). Unlike LIKE, a range whose bounds come from the outer row of a correlated subquery is still an
 * index scan.
 */
export const pathInRangeSql = (path: string, rootPath: string): string =>
  `(${path} >= (${rootPath}) COLLATE "C" AND ${path} < kapok_path_end(${rootPath}) COLLATE "C")`;

/** The same test on paths already read: `path` is `rootPath`'s unit or below it. */
export const isPathUnder = (path: string, rootPath: string): boolean => path.startsWith(rootPath);

/** SQL condition "the unit whose path is `path` is the unit `unitId` or below it" (a filter; no unit: nothing). */
export const underUnitSql = (path: string, unitId: string, params: SqlParams): string =>
  pathUnderSql(path, `(SELECT root.path FROM org_units root WHERE root.id = ${bindParam(params, unitId)})`);

/** What a person's part of the tree is read from: their home unit's path and their supervised stations. */
export interface OrgGrant {
  /** The home unit's path; undefined when the unit does not exist. */
  homePath: string | undefined;
  supervisedStationIds: string[];
}

/** The part of the organisation tree one person may see. */
export class OrgScope {
  private constructor(
    /** The whole organisation (admins): every unit, with no test at all. */
    readonly wholeOrg: boolean,
    /** The path of the home unit, whose subtree is in scope. */
    readonly rootPath: string,
    /** Units in scope on their own, outside the home subtree or not (supervised stations). */
    readonly extraUnitIds: readonly string[],
  ) {}

  /** The scope a person with this role and grant has (the rule, decided here only). */
  static async of(role: Role, grant: () => Promise<OrgGrant>): Promise<OrgScope> {
    const g = await grant();
    if (!WHOLE_ORG_ROLES.includes(role)) return OrgScope.ownPart(g);
    // An admin below the root sees what they administer: their home subtree (a supervised station is no admin's).
    return isRootPath(g.homePath)
      ? OrgScope.whole()
      : OrgScope.ownPart({ homePath: g.homePath, supervisedStationIds: [] });
  }

  /** The home unit's subtree plus the supervised stations, whatever the role. */
  static ownPart(grant: OrgGrant): OrgScope {
    return new OrgScope(false, grant.homePath ?? NOWHERE, [...grant.supervisedStationIds]);
  }

  static whole(): OrgScope {
    return new OrgScope(true, '/', []);
  }

  /** Whether the unit (with its materialised path) is in scope. */
  contains(unit: { id: string; path: string }): boolean {
    return this.wholeOrg || isPathUnder(unit.path, this.rootPath) || this.extraUnitIds.includes(unit.id);
  }

  /**
   * SQL condition "the org_units row `unit` (an alias: its `.path` and `.id` are read) is in scope"; binds its
   * parameters into `params`. The whole organisation is `TRUE`.
   */
  sql(unit: string, params: SqlParams): string {
    if (this.wholeOrg) return 'TRUE';
    const root = bindParam(params, this.rootPath);
    const extra = bindParam(params, this.extraUnitIds);
    return `(${pathUnderSql(`${unit}.path`, root)} OR ${unit}.id = ANY(${extra}::uuid[]))`;
  }

  /** Same reach, same key (e.g. monitors of one scope share one snapshot). */
  get key(): string {
    return this.wholeOrg ? '*' : `${this.rootPath}|${[...this.extraUnitIds].sort().join(',')}`;
  }
}

/** Builds a person's OrgScope from the database: once per request, then asked by every check of that request. */
@Injectable()
export class OrgAccess {
  constructor(private readonly org: OrgRepository) {}

  /**
   * What the person may see: records, contacts, follow-ups, aid requests, the audit log, rosters, station settings,
   * coverage gaps. Inside a transaction pass `tx`: the grant is then read on the transaction's own connection.
   */
  scopeOf(user: Pick<AuthUser, 'id' | 'role' | 'orgUnitId'>, tx?: Tx): Promise<OrgScope> {
    return OrgScope.of(user.role, () => this.org.grantOf(user, tx));
  }

  /** The person's own part of the tree, whatever their role: statistics, the live board, the unit and hotline lists. */
  async ownPartOf(user: Pick<AuthUser, 'id' | 'orgUnitId'>, tx?: Tx): Promise<OrgScope> {
    return OrgScope.ownPart(await this.org.grantOf(user, tx));
  }

  /**
   * The part of the tree a person administers (libs/admin's AdminScope builds on it), whatever their role: what an
   * admin homed at their unit sees (`OrgScope.of`): their home unit's subtree, the whole organisation from a root
   * (the city); supervised stations are not added: supervising a station is not administering it. A person whose home unit does not exist administers nothing.
   */
  async adminReachOf(user: Pick<AuthUser, 'orgUnitId'>, tx?: Tx): Promise<OrgScope> {
    const home = await this.org.findUnit(user.orgUnitId, tx);
    return OrgScope.of('admin', async () => ({ homePath: home?.path, supervisedStationIds: [] }));
  }

  /**
   * Whether `stationId` is a station in the person's part of the tree: the routes of one station (rosters, routing
   * settings, 常用语) answer 404 otherwise, as if it did not exist.
   */
  async stationInScope(user: Pick<AuthUser, 'id' | 'role' | 'orgUnitId'>, stationId: string): Promise<boolean> {
    const unit = await this.org.findUnit(stationId);
    return unit?.level === 'station' && (await this.scopeOf(user)).contains(unit);
  }

  /** Whether the unit with this id is in scope (an unknown unit is not, except for the whole organisation). */
  async containsUnit(scope: OrgScope, unitId: string, tx?: Tx): Promise<boolean> {
    if (scope.wholeOrg) return true;
    const unit = await this.org.findUnit(unitId, tx);
    return !!unit && scope.contains(unit);
  }
}
