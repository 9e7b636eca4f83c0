import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { OrgAccess, OrgLevel, OrgRepository, isPathUnder } from '@kapok/org';
import { StatsReadRepository } from './stats-read.repository';

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
    private readonly access: OrgAccess,
    private readonly org: OrgRepository,
    private readonly reads: StatsReadRepository,
  ) {}

  async resolve(user: Pick<AuthUser, 'id' | 'orgUnitId'>): Promise<StatsScope> {
    const scope = await this.access.ownPartOf(user);
    const stations = await this.org.unitsIn(scope, ['station']);
    const ancestorIds = new Set<string>([user.orgUnitId]);
    for (const s of stations) for (const id of s.path.split('/').filter(Boolean)) ancestorIds.add(id);
    const units = new Map<string, ScopeUnit>((await this.org.findUnits([...ancestorIds])).map((u) => [u.id, u]));
    const scoped: ScopeStation[] = stations.map((s) => {
      const ancestors: Partial<Record<OrgLevel, string>> = {};
      for (const id of s.path.split('/').filter(Boolean)) {
        const u = units.get(id);
        if (u) ancestors[u.level] = u.id;
      }
      return { ...s, ancestors };
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
    return this.org.hotlinesOf(stationIds);
  }

  async workerNames(ids: string[]): Promise<Map<string, string>> {
    return this.reads.workerNames(ids);
  }
}
