import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { OrgLevel } from '@kapok/org';
import { eachDay, isoWeek, monthStart, nextMonth } from '@kapok/common';
import { RollupRepository, Sums, addSums, toFigures, zeroSums } from '../rollup.repository';
import { StatsScope, StatsScopes } from '../stats-scope';
import { ServiceCountsQuery } from '../stats-query';
import {
  CHANNEL_LABELS,
  NONE_KEY,
  NONE_LABELS,
  NO_WORKER_ID,
  SERVICE_LEVEL_THRESHOLD_SECONDS,
  SERVICE_TYPE_LABELS,
  ServiceCountsResult,
  StatsRow,
  TARGET_GROUP_LABELS,
  TIME_ZONE,
} from '../stats.types';

const collator = new Intl.Collator('zh-CN');
const byLabel = (a: { label: string }, b: { label: string }) => collator.compare(a.label, b.label);

interface Bucket {
  key: string;
  label: string;
  sums: Sums;
}

/**
 * `GET /api/stats/service-counts`: the contract's figures over [from, to] (Asia/Shanghai days, `to` inclusive),
 * grouped, for the caller's part of the tree. Answered from the rollups only.
 *
 * Rows: time groupings list every day/week/month of the range; region/district/station (by name) and hotline (by
 * number) list every unit or line in scope; channel, serviceType and targetGroup list every value; worker lists the operators with contacts.
 * Contacts without a value (no outcome, not answered, no such ancestor) are in a row with key "none" when there are
 * any. serviceType rows overlap (a contact may have several types); every other grouping's rows add up to totals.
 */
@Injectable()
export class ServiceCounts {
  constructor(
    private readonly rollups: RollupRepository,
    private readonly scopes: StatsScopes,
  ) {}

  async execute(user: AuthUser, q: ServiceCountsQuery): Promise<ServiceCountsResult & { scope: { name: string } }> {
    const scope = await this.scopes.resolve(user);
    const { from, to, groupBy } = q;
    const ids = scope.stationIds;
    const byStation = await this.rollups.sumBy('station', ids, from, to);
    const totals = [...byStation.values()].reduce(addSums, zeroSums());
    let buckets: Bucket[];
    switch (groupBy) {
      case 'day': {
        const sums = await this.rollups.sumBy('day', ids, from, to);
        buckets = eachDay(from, to).map((d) => ({ key: d, label: d, sums: sums.get(d) ?? zeroSums() }));
        break;
      }
      case 'week': {
        const sums = await this.rollups.sumBy('day', ids, from, to);
        const weeks = new Map<string, Bucket>();
        for (const d of eachDay(from, to)) {
          const w = isoWeek(d);
          const b = weeks.get(w.key) ?? { key: w.key, label: '', sums: zeroSums() };
          b.label = b.label ? `${b.label.slice(0, 10)} 至 ${d}` : `${d} 至 ${d}`;
          b.sums = addSums(b.sums, sums.get(d) ?? zeroSums());
          weeks.set(w.key, b);
        }
        buckets = [...weeks.values()];
        break;
      }
      case 'month': {
        const sums = await this.rollups.sumBy('month', ids, from, to);
        buckets = [];
        for (let m = monthStart(from); m <= to; m = nextMonth(m)) {
          const key = m.slice(0, 7);
          buckets.push({
            key,
            label: `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`,
            sums: sums.get(key) ?? zeroSums(),
          });
        }
        break;
      }
      case 'region':
      case 'district':
        buckets = this.byAncestor(scope, byStation, groupBy);
        break;
      case 'station':
        buckets = scope.stations
          .map((s) => ({ key: s.id, label: s.name, sums: byStation.get(s.id) ?? zeroSums() }))
          .sort(byLabel);
        break;
      case 'hotline': {
        const sums = await this.rollups.sumBy('hotline', ids, from, to);
        const lines = await this.scopes.hotlines(ids);
        buckets = lines.map((h) => ({ key: h.id, label: `${h.number} ${h.name}`, sums: sums.get(h.id) ?? zeroSums() }));
        const known = new Set(lines.map((h) => h.id));
        for (const [id, s] of sums) if (!known.has(id)) buckets.push({ key: id, label: id, sums: s });
        break;
      }
      case 'channel':
        buckets = this.fixed(await this.rollups.sumBy('channel', ids, from, to), CHANNEL_LABELS, groupBy);
        break;
      case 'serviceType':
        buckets = this.fixed(await this.rollups.sumBy('service', ids, from, to), SERVICE_TYPE_LABELS, groupBy);
        break;
      case 'targetGroup':
        buckets = this.fixed(await this.rollups.sumBy('target', ids, from, to), TARGET_GROUP_LABELS, groupBy);
        break;
      case 'worker': {
        const sums = await this.rollups.sumBy('worker', ids, from, to);
        const names = await this.scopes.workerNames([...sums.keys()].filter((k) => k !== NO_WORKER_ID));
        buckets = [...sums]
          .filter(([id]) => id !== NO_WORKER_ID)
          .map(([id, s]) => ({ key: id, label: names.get(id) ?? id, sums: s }))
          // thousands of rows: code-point order for ties (a collator per comparison is too slow here)
          .sort((a, b) => b.sums.contacts - a.sums.contacts || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
        const none = sums.get(NO_WORKER_ID);
        if (none && none.contacts) buckets.push({ key: NONE_KEY, label: NONE_LABELS.worker!, sums: none });
        break;
      }
    }
    const rows: StatsRow[] = buckets.map((b) => ({ key: b.key, label: b.label, ...toFigures(b.sums) }));
    return {
      from,
      to,
      groupBy,
      timeZone: TIME_ZONE,
      serviceLevelThresholdSeconds: SERVICE_LEVEL_THRESHOLD_SECONDS,
      scope: { name: scope.name },
      rows,
      totals: toFigures(totals),
    };
  }

  /** Regions or districts: station rows summed by ancestor (every ancestor of a station in scope gets a row). */
  private byAncestor(scope: StatsScope, byStation: Map<string, Sums>, level: OrgLevel): Bucket[] {
    const out = new Map<string, Bucket>();
    for (const s of scope.stations) {
      const id = s.ancestors[level] ?? NONE_KEY;
      const label = id === NONE_KEY ? NONE_LABELS[level as 'region' | 'district']! : scope.units.get(id)!.name;
      const b = out.get(id) ?? { key: id, label, sums: zeroSums() };
      b.sums = addSums(b.sums, byStation.get(s.id) ?? zeroSums());
      out.set(id, b);
    }
    const none = out.get(NONE_KEY);
    out.delete(NONE_KEY);
    const rows = [...out.values()].sort(byLabel);
    if (none && none.sums.contacts) rows.push(none);
    return rows;
  }

  /** A fixed list of values in its own order, then any other value seen, then "none" if it has contacts. */
  private fixed(
    sums: Map<string, Sums>,
    labels: Record<string, string>,
    groupBy: 'channel' | 'serviceType' | 'targetGroup',
  ): Bucket[] {
    const rows: Bucket[] = Object.entries(labels).map(([key, label]) => ({
      key,
      label,
      sums: sums.get(key) ?? zeroSums(),
    }));
    for (const [key, s] of sums) {
      if (key !== NONE_KEY && !(key in labels)) rows.push({ key, label: key, sums: s });
    }
    const none = sums.get(NONE_KEY);
    if (none && none.contacts) rows.push({ key: NONE_KEY, label: NONE_LABELS[groupBy] ?? NONE_KEY, sums: none });
    return rows;
  }
}
