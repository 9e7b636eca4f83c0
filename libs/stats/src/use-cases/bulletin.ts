import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { addDays, lastDayOfMonth } from '@kapok/common';
import { BulletinResult } from '@kapok/contracts';
import { RollupRepository, addSums, toFigures, zeroSums } from '../rollup.repository';
import { StatsScopes } from '../stats-scope';
import { SERVICE_LEVEL_THRESHOLD_SECONDS, SERVICE_TYPE_LABELS, TIME_ZONE } from '../stats.types';

// The answer's shape is part of the API, shared with the console.
export type { BulletinResult } from '@kapok/contracts';

/** 152340 → "15 万余"; below 10 000 the exact number. */
export function roughZh(n: number): string {
  return n >= 10_000 ? `${Math.floor(n / 10_000)} 万余` : String(n);
}

const pct = (v: number | null) => (v === null ? undefined : `${(Math.round(v * 1000) / 10).toFixed(1)}%`);

/**
 * `GET /api/stats/bulletin?month=YYYY-MM`: a month's headline figures for the caller's part of the tree and the
 * sentence the bureau publishes, from the rollups.
 */
@Injectable()
export class Bulletin {
  constructor(
    private readonly rollups: RollupRepository,
    private readonly scopes: StatsScopes,
  ) {}

  async execute(user: AuthUser, month: string, first: string): Promise<BulletinResult> {
    const scope = await this.scopes.resolve(user);
    const ids = scope.stationIds;
    const last = lastDayOfMonth(first);
    const prevFirst = addDays(first, -1).slice(0, 8) + '01';
    const [byStation, services, workerShifts, prevByStation] = await Promise.all([
      this.rollups.sumBy('total', ids, first, last),
      this.rollups.sumBy('service', ids, first, last),
      this.rollups.workerDays(ids, first, last),
      this.rollups.sumBy('total', ids, prevFirst, lastDayOfMonth(prevFirst)),
    ]);
    const totals = toFigures([...byStation.values()].reduce(addSums, zeroSums()));
    const prev = toFigures([...prevByStation.values()].reduce(addSums, zeroSums()));
    const byServiceType = Object.entries(SERVICE_TYPE_LABELS).map(([key, label]) => ({
      key,
      label,
      contacts: services.get(key)?.contacts ?? 0,
    }));
    const emotional = services.get('emotional_support')?.contacts ?? 0;
    const y = first.slice(0, 4);
    const m = Number(first.slice(5, 7));
    const sentence = (num: (n: number) => string) => {
      const sl = pct(totals.serviceLevel);
      return (
        `本月服务困难群众和特殊群体 ${num(totals.served)} 人次，解决问题 ${num(totals.problemsResolved)} 个，` +
        `其中心理疏导 ${num(totals.psychologicalSupportContacts)} 人次、情绪支持 ${num(emotional)} 人次、` +
        `基本生活物资保障 ${num(totals.materialAidContacts)} 人次，跟进高风险个案 ${num(totals.highRiskContacts)} 宗；` +
        `投入接线服务社工 ${num(workerShifts)} 人次，热线接听来电 ${num(totals.answered)} 个` +
        (sl ? `，${SERVICE_LEVEL_THRESHOLD_SECONDS} 秒内接通率 ${sl}` : '') +
        '。'
      );
    };
    return {
      month,
      from: first,
      to: last,
      timeZone: TIME_ZONE,
      scope: { name: scope.name },
      figures: { ...totals, workerShifts },
      previousMonth: {
        month: prevFirst.slice(0, 7),
        served: prev.served,
        problemsResolved: prev.problemsResolved,
        contacts: prev.contacts,
      },
      byServiceType,
      title: `${scope.name}${y}年${m}月“红棉守护”热线服务情况`,
      sentence: sentence(String),
      sentenceRounded: sentence(roughZh),
    };
  }
}
