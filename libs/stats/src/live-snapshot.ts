import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Clock, shanghaiToday } from '@kapok/common';
import { ConsoleLostContact, CoverageGapKind, LiveUnit, QueueSnapshot } from '@kapok/contracts';
import { OrgAccess, OrgLevel, OrgRepository, isPathUnder } from '@kapok/org';
import { RollupRepository, Sums, zeroSums } from './rollup.repository';
import { StatsReadRepository } from './stats-read.repository';

// `queue:snapshot` and its units are part of the API, shared with the console (@kapok/contracts).
export type { ConsoleLostContact, LiveUnit, QueueSnapshot } from '@kapok/contracts';

/** The live board's units: every level down to stations (points have no lines). */
const BOARD_LEVELS: readonly OrgLevel[] = ['city', 'region', 'district', 'station'];

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
  /** Phone contacts going on while their operator's console is lost (operators of this station). */
  consoleLost: ConsoleLostContact[];
}

/**
 * Builds `queue:snapshot` for monitors (`/monitor`): one round of queries for all the stations any connected monitor
 * sees, then each monitor's units summed from their stations.
 */
@Injectable()
export class LiveSnapshots {
  constructor(
    private readonly reads: StatsReadRepository,
    private readonly access: OrgAccess,
    private readonly org: OrgRepository,
    private readonly rollups: RollupRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * The monitor's scope: their own part of the tree (OrgAccess.ownPartOf: the subtree of their home unit, down to
   * stations — points have no lines — plus supervised stations). Read at connect and refreshed by the gateway every
   * minute.
   */
  async scopeFor(user: Pick<AuthUser, 'id' | 'orgUnitId'>): Promise<MonitorScope> {
    const scope = await this.access.ownPartOf(user);
    const visible: TreeUnit[] = await this.org.unitsIn(scope, BOARD_LEVELS);
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
    const now = this.clock.now();
    const [live, gaps] = await Promise.all([this.stations(stationIds, now), this.gaps(unitIds)]);
    const at = now.toISOString();
    const out = new Map<string, QueueSnapshot>();
    for (const scope of scopes) {
      if (out.has(scope.key)) continue;
      const consoleLostContacts = scope.stationIds
        .flatMap((id) => live.get(id)?.consoleLost ?? [])
        .sort((a, b) => a.disconnectedAt.localeCompare(b.disconnectedAt) || a.contactId.localeCompare(b.contactId));
      out.set(scope.key, {
        at,
        units: scope.units.map(({ unit, stationIds: ids }) => toUnit(unit, ids, live, gaps)),
        consoleLostContacts,
      });
    }
    return out;
  }

  private async stations(ids: string[], now: Date): Promise<Map<string, StationLive>> {
    const out = new Map<string, StationLive>();
    if (!ids.length) return out;
    const [waiting, operators, rostered, today, consoleLost] = await Promise.all([
      this.reads.waitingByStation(ids),
      this.reads.operatorsByStation(ids),
      this.reads.rosteredByStation(ids),
      this.rollups.dayByStation(ids, shanghaiToday(now)),
      this.reads.consoleLostContacts(ids),
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
          consoleLost: [],
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
    for (const c of consoleLost) {
      get(c.station_id).consoleLost.push({
        contactId: c.contact_id,
        stationId: c.station_id,
        operatorId: c.operator_id,
        operatorName: c.operator_name,
        answeredAt: new Date(c.answered_at).toISOString(),
        disconnectedAt: new Date(c.disconnected_at).toISOString(),
      });
    }
    return out;
  }

  private async gaps(unitIds: string[]): Promise<Map<string, CoverageGapKind[]>> {
    return unitIds.length ? this.reads.openGapKinds(unitIds) : new Map();
  }
}

function toUnit(
  unit: TreeUnit,
  stationIds: string[],
  live: Map<string, StationLive>,
  gaps: Map<string, CoverageGapKind[]>,
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
    consoleLost: 0,
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
    u.consoleLost += s.consoleLost.length;
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
