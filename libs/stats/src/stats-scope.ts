import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Db } from '@kapok/database';
import { OrgAccess, OrgLevel, isPathUnder } from '@kapok/org';

export interface ScopeUnit {
  id: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
  path: string;
}

export interface ScopeStation extends ScopeUnit {
  /** Ancestor ids by level (city, region, district), from the materialised path. */
  ancestors: Partial<Record<OrgLevel, string>>;
}

/** The part of the tree one person's statistics cover: their home unit's stations, plus stations they supervise. */
export interface StatsScope {
  home: ScopeUnit | undefined;
  /** The name to print for the scope: the home unit's, or "督导范围" for a supervisor of several stations. */
  name: string;
  stations: ScopeStation[];
  stationIds: string[];
  /** Every ancestor of a station in scope, by id (for labels of regions and districts). */
  units: Map<string, ScopeUnit>;
}

/**
 * Which stations a person's statistics cover: their own part of the tree (OrgAccess.ownPartOf, whatever the role:
 * coordinator their station or district; supervisor their home unit and the stations they cover; manager and admin
 * their unit, normally the city).
 */
@Injectable()
export class StatsScopes {
  constructor(
    private readonly db: Db,
    private readonly access: OrgAccess,
  ) {}

  async resolve(user: Pick<AuthUser, 'id' | 'orgUnitId'>): Promise<StatsScope> {
    const scope = await this.access.ownPartOf(user);
    const params: unknown[] = [];
    const stations = await this.db.rows<{
      id: string;
      name: string;
      level: OrgLevel;
      parent_id: string | null;
      path: string;
    }>(
      `SELECT id, name, level, parent_id, path FROM org_units s
        WHERE s.level = 'station' AND ${scope.sql('s', params)}
        ORDER BY s.path`,
      params,
    );
    const ancestorIds = new Set<string>([user.orgUnitId]);
    for (const s of stations) for (const id of s.path.split('/').filter(Boolean)) ancestorIds.add(id);
    const unitRows = await this.db.rows<{
      id: string;
      name: string;
      level: OrgLevel;
      parent_id: string | null;
      path: string;
    }>('SELECT id, name, level, parent_id, path FROM org_units WHERE id = ANY($1::uuid[])', [[...ancestorIds]]);
    const units = new Map<string, ScopeUnit>(
      unitRows.map((u) => [u.id, { id: u.id, name: u.name, level: u.level, parentId: u.parent_id, path: u.path }]),
    );
    const scoped: ScopeStation[] = stations.map((s) => {
      const ancestors: Partial<Record<OrgLevel, string>> = {};
      for (const id of s.path.split('/').filter(Boolean)) {
        const u = units.get(id);
        if (u) ancestors[u.level] = u.id;
      }
      return { id: s.id, name: s.name, level: s.level, parentId: s.parent_id, path: s.path, ancestors };
    });
    const home = units.get(user.orgUnitId);
    const extra = scope.extraUnitIds.filter((id) => {
      const station = scoped.find((s) => s.id === id);
      return !home || !station || !isPathUnder(station.path, home.path);
    });
    const name = home && extra.length === 0 ? home.name : `督导范围（${scoped.length} 个社工站）`;
    return { home, name, stations: scoped, stationIds: scoped.map((s) => s.id), units };
  }

  async hotlines(stationIds: string[]): Promise<{ id: string; number: string; name: string; stationId: string }[]> {
    const rows = await this.db.rows<{ id: string; number: string; name: string; station_id: string }>(
      'SELECT id, number, name, station_id FROM hotlines WHERE station_id = ANY($1::uuid[]) ORDER BY number',
      [stationIds],
    );
    return rows.map((r) => ({ id: r.id, number: r.number, name: r.name, stationId: r.station_id }));
  }

  async workerNames(ids: string[]): Promise<Map<string, string>> {
    const rows = await this.db.rows<{ id: string; display_name: string }>(
      'SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }
}
