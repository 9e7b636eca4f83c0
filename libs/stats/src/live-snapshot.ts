import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Db } from '@kapok/database';
import { OrgAccess, OrgLevel, isPathUnder } from '@kapok/org';
import { shanghaiToday } from './dates';
import { RollupRepository, Sums, zeroSums } from './rollup.repository';

/** One unit of `queue:snapshot` (contract fields first, then extras). */
export interface LiveUnit {
  orgUnitId: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
  /** Contacts not answered yet (queued or offered and ringing). */
  waiting: number;
  /** Seconds the longest-waiting of them has waited; 0 when nobody waits. */
  oldestWaitSeconds: number;
  /** Operators by state: signed in and available, holding a contact (ringing or talking), wrapping up, away. */
  available: number;
  busy: number;
  wrapUp: number;
  away: number;
  /** Operators neither signed in (no socket) nor busy, or who declared themselves offline. */
  offline: number;
  /** Operators with at least one socket connected. */
  signedIn: number;
  /** Operators with a shift covering now (shifts table). */
  rostered: number;
  /** Today (Asia/Shanghai) from the rollups: contacts that reached the line today, answered, abandoned. */
  contactsToday: number;
  answeredToday: number;
  abandonedToday: number;
  servedToday: number;
  serviceLevelToday: number | null;
  /** Open coverage gaps of this unit: 'nobody_signed_in' | 'nobody_rostered'. */
  coverageGaps: string[];
}

export interface QueueSnapshot {
  at: string;
  units: LiveUnit[];
}

interface TreeUnit {
  id: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
  path: string;
}

/** A monitor's part of the tree: the units it sees, each with the stations it adds up. */
export interface MonitorScope {
  /** Same scope, same key (sockets of one scope share one snapshot). */
  key: string;
  /** Rooms to join (`monitor:unit:<id>`): the home unit and supervised stations. */
  roomUnitIds: string[];
  units: { unit: TreeUnit; stationIds: string[] }[];
  stationIds: string[];
}

interface StationLive {
  waiting: number;
  oldest: number;
  available: number;
  busy: number;
  wrapUp: number;
  away: number;
  offline: number;
  signedIn: number;
  rostered: number;
  today: Sums;
}

/**
 * Builds `queue:snapshot` for monitors (`/monitor`): one round of queries for all the stations any connected monitor
 * sees, then each monitor's units summed from their stations.
 */
@Injectable()
export class LiveSnapshots {
  constructor(
    private readonly db: Db,
    private readonly access: OrgAccess,
    private readonly rollups: RollupRepository,
  ) {}

  /**
   * The monitor's scope: their own part of the tree (OrgAccess.ownPartOf: the subtree of their home unit, down to
   * stations — points have no lines — plus supervised stations). Read at connect and refreshed by the gateway every
   * minute.
   */
  async scopeFor(user: Pick<AuthUser, 'id' | 'orgUnitId'>): Promise<MonitorScope> {
    const scope = await this.access.ownPartOf(user);
    const params: unknown[] = [];
    const rows = await this.db.rows<{
      id: string;
      name: string;
      level: OrgLevel;
      parent_id: string | null;
      path: string;
    }>(
      `SELECT id, name, level, parent_id, path FROM org_units u
        WHERE u.level <> 'point' AND ${scope.sql('u', params)} ORDER BY u.path`,
      params,
    );
    const visible: TreeUnit[] = rows.map((r) => ({
      id: r.id,
      name: r.name,
      level: r.level,
      parentId: r.parent_id,
      path: r.path,
    }));
    const stations = visible.filter((u) => u.level === 'station');
    const units = visible.map((unit) => ({
      unit,
      stationIds:
        unit.level === 'station' ? [unit.id] : stations.filter((s) => isPathUnder(s.path, unit.path)).map((s) => s.id),
    }));
    const stationIds = [...new Set(units.flatMap((u) => u.stationIds))];
    return {
      key: scope.key,
      roomUnitIds: [...new Set([user.orgUnitId, ...scope.extraUnitIds])],
      units,
      stationIds,
    };
  }

  /** Snapshots for several scopes at once (one query round for the union of their stations). */
  async build(scopes: MonitorScope[]): Promise<Map<string, QueueSnapshot>> {
    const stationIds = [...new Set(scopes.flatMap((s) => s.stationIds))];
    const unitIds = [...new Set(scopes.flatMap((s) => s.units.map((u) => u.unit.id)))];
    const [live, gaps] = await Promise.all([this.stations(stationIds), this.gaps(unitIds)]);
    const at = new Date().toISOString();
    const out = new Map<string, QueueSnapshot>();
    for (const scope of scopes) {
      if (out.has(scope.key)) continue;
      out.set(scope.key, { at, units: scope.units.map(({ unit, stationIds: ids }) => toUnit(unit, ids, live, gaps)) });
    }
    return out;
  }

  private async stations(ids: string[]): Promise<Map<string, StationLive>> {
    const out = new Map<string, StationLive>();
    if (!ids.length) return out;
    const [waiting, operators, rostered, today] = await Promise.all([
      this.db.rows<{ station_id: string; n: number; oldest: number }>(
        `SELECT station_id, count(*)::int AS n, floor(extract(epoch FROM now() - min(queued_at)))::int AS oldest
           FROM contacts WHERE status IN ('queued','offered') AND station_id = ANY($1::uuid[])
          GROUP BY station_id`,
        [ids],
      ),
      this.db.rows<Record<string, number> & { station_id: string }>(
        `WITH held AS (
           SELECT assigned_worker_id AS uid, bool_or(status IN ('offered','active')) AS busy, bool_or(status = 'wrap_up') AS wrap
             FROM contacts WHERE status IN ('offered','active','wrap_up') AND assigned_worker_id IS NOT NULL
            GROUP BY assigned_worker_id),
         conn AS (SELECT DISTINCT user_id AS uid FROM agent_sessions),
         ops AS (
           SELECT COALESCE(a.station_id, u.org_unit_id) AS station_id, s.uid IS NOT NULL AS signed_in,
                  CASE WHEN h.busy THEN 'busy' WHEN h.wrap THEN 'wrap_up'
                       WHEN s.uid IS NOT NULL AND a.presence = 'available' THEN 'available'
                       WHEN s.uid IS NOT NULL AND a.presence = 'away' THEN 'away'
                       ELSE 'offline' END AS state
             FROM users u
             LEFT JOIN agent_states a ON a.user_id = u.id
             LEFT JOIN held h ON h.uid = u.id
             LEFT JOIN conn s ON s.uid = u.id
            WHERE u.role = 'operator' AND u.active AND COALESCE(a.station_id, u.org_unit_id) = ANY($1::uuid[]))
         SELECT station_id,
                count(*) FILTER (WHERE state = 'available')::int AS available,
                count(*) FILTER (WHERE state = 'busy')::int AS busy,
                count(*) FILTER (WHERE state = 'wrap_up')::int AS wrap_up,
                count(*) FILTER (WHERE state = 'away')::int AS away,
                count(*) FILTER (WHERE state = 'offline')::int AS offline,
                count(*) FILTER (WHERE signed_in)::int AS signed_in
           FROM ops GROUP BY station_id`,
        [ids],
      ),
      this.db.rows<{ station_id: string; n: number }>(
        `SELECT station_id, count(DISTINCT worker_id)::int AS n FROM shifts
          WHERE station_id = ANY($1::uuid[]) AND starts_at <= now() AND ends_at > now() GROUP BY station_id`,
        [ids],
      ),
      this.rollups.dayByStation(ids, shanghaiToday()),
    ]);
    const get = (id: string) => {
      let s = out.get(id);
      if (!s) {
        s = {
          waiting: 0,
          oldest: 0,
          available: 0,
          busy: 0,
          wrapUp: 0,
          away: 0,
          offline: 0,
          signedIn: 0,
          rostered: 0,
          today: zeroSums(),
        };
        out.set(id, s);
      }
      return s;
    };
    for (const w of waiting) Object.assign(get(w.station_id), { waiting: w.n, oldest: Math.max(0, w.oldest) });
    for (const o of operators) {
      Object.assign(get(o.station_id), {
        available: o.available,
        busy: o.busy,
        wrapUp: o.wrap_up,
        away: o.away,
        offline: o.offline,
        signedIn: o.signed_in,
      });
    }
    for (const r of rostered) get(r.station_id).rostered = r.n;
    for (const [id, sums] of today) get(id).today = sums;
    return out;
  }

  private async gaps(unitIds: string[]): Promise<Map<string, string[]>> {
    if (!unitIds.length) return new Map();
    const rows = await this.db.rows<{ unit_id: string; kinds: string[] }>(
      `SELECT unit_id, array_agg(DISTINCT kind ORDER BY kind) AS kinds FROM coverage_gaps
        WHERE ended_at IS NULL AND unit_id = ANY($1::uuid[]) GROUP BY unit_id`,
      [unitIds],
    );
    return new Map(rows.map((r) => [r.unit_id, r.kinds]));
  }
}

function toUnit(
  unit: TreeUnit,
  stationIds: string[],
  live: Map<string, StationLive>,
  gaps: Map<string, string[]>,
): LiveUnit {
  const u: LiveUnit = {
    orgUnitId: unit.id,
    name: unit.name,
    level: unit.level,
    parentId: unit.parentId,
    waiting: 0,
    oldestWaitSeconds: 0,
    available: 0,
    busy: 0,
    wrapUp: 0,
    away: 0,
    offline: 0,
    signedIn: 0,
    rostered: 0,
    contactsToday: 0,
    answeredToday: 0,
    abandonedToday: 0,
    servedToday: 0,
    serviceLevelToday: null,
    coverageGaps: gaps.get(unit.id) ?? [],
  };
  let inSl = 0;
  let slBase = 0;
  for (const id of stationIds) {
    const s = live.get(id);
    if (!s) continue;
    u.waiting += s.waiting;
    u.oldestWaitSeconds = Math.max(u.oldestWaitSeconds, s.oldest);
    u.available += s.available;
    u.busy += s.busy;
    u.wrapUp += s.wrapUp;
    u.away += s.away;
    u.offline += s.offline;
    u.signedIn += s.signedIn;
    u.rostered += s.rostered;
    u.contactsToday += s.today.contacts;
    u.answeredToday += s.today.answered;
    u.abandonedToday += s.today.abandoned;
    u.servedToday += s.today.served;
    inSl += s.today.answeredInSl;
    slBase += s.today.answered + s.today.abandonedAfterSl;
  }
  u.serviceLevelToday = slBase ? Math.round((inSl / slBase) * 10_000) / 10_000 : null;
  return u;
}
