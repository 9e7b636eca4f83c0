import { Injectable } from '@nestjs/common';
import { Db, Tx, isSerializationFailure } from '@kapok/database';
import { lastDayOfMonth, monthStart, splitRange } from '@kapok/common';
import { Figures } from './stats.types';

/** The additive figures of the rollup tables (migration 1764700000000-stats), summed. */
export interface Sums {
  contacts: number;
  answered: number;
  answeredInSl: number;
  answerWaitUs: number;
  abandoned: number;
  abandonedAfterSl: number;
  served: number;
  handled: number;
  handleUs: number;
  problemsRaised: number;
  problemsResolved: number;
  materialAid: number;
  psychological: number;
  highRisk: number;
}

/** Rollup column → Sums field. */
export const SUM_COLUMNS: [string, keyof Sums][] = [
  ['contacts', 'contacts'],
  ['answered', 'answered'],
  ['answered_in_sl', 'answeredInSl'],
  ['answer_wait_us', 'answerWaitUs'],
  ['abandoned', 'abandoned'],
  ['abandoned_after_sl', 'abandonedAfterSl'],
  ['served', 'served'],
  ['handled', 'handled'],
  ['handle_us', 'handleUs'],
  ['problems_raised', 'problemsRaised'],
  ['problems_resolved', 'problemsResolved'],
  ['material_aid', 'materialAid'],
  ['psychological', 'psychological'],
  ['high_risk', 'highRisk'],
];

export const ROLLUP_TABLES = ['stats_line', 'stats_worker', 'stats_target', 'stats_service'] as const;
export type RollupTable = (typeof ROLLUP_TABLES)[number];

/** What a query groups rollup rows by (whitelisted SQL). */
const KEYS = {
  total: `''`,
  station: 's.station_id',
  hotline: 's.hotline_id',
  channel: 's.channel',
  worker: 's.worker_id',
  target: 's.target_group',
  service: 's.service_type',
  day: 's.period::text',
  month: `to_char(s.period, 'YYYY-MM')`,
} as const;
export type RollupKey = keyof typeof KEYS;

const TABLE_OF_KEY: Partial<Record<RollupKey, RollupTable>> = {
  worker: 'stats_worker',
  target: 'stats_target',
  service: 'stats_service',
};

export const zeroSums = (): Sums => Object.fromEntries(SUM_COLUMNS.map(([, f]) => [f, 0])) as unknown as Sums;

export function addSums(a: Sums, b: Sums): Sums {
  const out = { ...a };
  for (const [, f] of SUM_COLUMNS) out[f] += b[f];
  return out;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The contract's figures from summed rollups (docs/statistics.md has the definitions). */
export function toFigures(s: Sums): Figures {
  const slBase = s.answered + s.abandonedAfterSl;
  const abBase = s.answered + s.abandoned;
  return {
    contacts: s.contacts,
    answered: s.answered,
    abandoned: s.abandoned,
    served: s.served,
    problemsResolved: s.problemsResolved,
    materialAidContacts: s.materialAid,
    psychologicalSupportContacts: s.psychological,
    highRiskContacts: s.highRisk,
    avgSpeedOfAnswerSeconds: s.answered ? round(s.answerWaitUs / s.answered / 1e6, 2) : null,
    avgHandleSeconds: s.handled ? round(s.handleUs / s.handled / 1e6, 2) : null,
    serviceLevel: slBase ? round(s.answeredInSl / slBase, 4) : null,
    abandonmentRate: abBase ? round(s.abandoned / abBase, 4) : null,
    problemsRaised: s.problemsRaised,
  };
}

export interface ReconcileTableReport {
  table: RollupTable;
  expectedRows: number;
  actualRows: number;
  /** Rows the recomputation has and the rollup lacks or has with other figures. */
  missing: number;
  /** Rows the rollup has and the recomputation does not. */
  unexpected: number;
  samples: { side: 'expected' | 'actual'; row: Record<string, unknown> }[];
}
export interface ReconcileReport {
  ok: boolean;
  range: { from: string; to: string } | null;
  tables: ReconcileTableReport[];
}

const nonZero = SUM_COLUMNS.map(([c]) => `${c} <> 0`).join(' OR ');

/**
 * Reads the rollups. A range [from, to] of Asia/Shanghai days is answered from month rows for the whole months in
 * it and from day rows for the days around them, so a year costs about as much as two months.
 */
@Injectable()
export class RollupRepository {
  constructor(private readonly db: Db) {}

  /**
   * Moves the changes pending since the last fold into the rollups (migration 1765500000000-stats-fold-later: the
   * writers' triggers append to stats_pending, so a contact's commits do not wait on the hot rollup rows). Answers
   * how many changes it folded. The router folds every few seconds (job `stats-fold`), and every read below folds
   * first, so what it answers includes every change committed before it.
   */
  async fold(tx?: Tx): Promise<number> {
    const row = await this.db.one<{ n: number }>('SELECT kapok_stats_fold() AS n', [], tx);
    return row?.n ?? 0;
  }

  /** Summed figures per key, for the stations given, over [from, to]. Day and week keys read day rows only. */
  async sumBy(key: RollupKey, stationIds: string[], from: string, to: string): Promise<Map<string, Sums>> {
    await this.fold();
    const table = TABLE_OF_KEY[key] ?? 'stats_line';
    const cols = SUM_COLUMNS.map(([c]) => `s.${c}`).join(', ');
    const part = (cond: string) =>
      `SELECT ${KEYS[key]} AS k, ${cols} FROM ${table} s WHERE ${cond} AND s.station_id = ANY($1::uuid[])`;
    let sql: string;
    let params: unknown[];
    if (key === 'day') {
      sql = part(`s.grain = 'd' AND s.period BETWEEN $2::date AND $3::date`);
      params = [stationIds, from, to];
    } else {
      const { monthsFrom, monthsTo } = splitRange(from, to);
      sql = [
        part(`s.grain = 'm' AND s.period >= $4::date AND s.period < $5::date`),
        part(`s.grain = 'd' AND s.period >= $2::date AND s.period < $4::date`),
        part(`s.grain = 'd' AND s.period >= $5::date AND s.period <= $3::date`),
      ].join('\nUNION ALL\n');
      params = [stationIds, from, to, monthsFrom, monthsTo];
    }
    const rows = await this.db.rows<Record<string, string>>(
      `SELECT x.k, ${SUM_COLUMNS.map(([c]) => `sum(x.${c})::int8 AS ${c}`).join(', ')}
         FROM (${sql}) x GROUP BY x.k`,
      params,
    );
    const out = new Map<string, Sums>();
    for (const r of rows) out.set(r.k, toSums(r));
    return out;
  }

  /** Each operator's figures of one day (day rows of stats_worker, every station they answered for). */
  async workerDay(workerIds: string[], day: string): Promise<Map<string, Sums>> {
    if (!workerIds.length) return new Map();
    await this.fold();
    const rows = await this.db.rows<Record<string, string>>(
      `SELECT s.worker_id AS k, ${SUM_COLUMNS.map(([c]) => `sum(s.${c})::int8 AS ${c}`).join(', ')}
         FROM stats_worker s
        WHERE s.grain = 'd' AND s.period = $2::date AND s.worker_id = ANY($1::uuid[])
        GROUP BY s.worker_id`,
      [workerIds, day],
    );
    return new Map(rows.map((r) => [r.k, toSums(r)]));
  }

  /** Operators' working days (接线服务社工人次): distinct (operator, day) with at least one contact answered. */
  async workerDays(stationIds: string[], from: string, to: string): Promise<number> {
    await this.fold();
    const row = await this.db.one<{ n: string }>(
      `SELECT count(*)::int8 AS n FROM (
         SELECT DISTINCT s.period, s.worker_id FROM stats_worker s
          WHERE s.grain = 'd' AND s.period BETWEEN $2::date AND $3::date AND s.station_id = ANY($1::uuid[])
            AND s.worker_id <> '00000000-0000-0000-0000-000000000000' AND s.answered > 0) x`,
      [stationIds, from, to],
    );
    return Number(row?.n ?? 0);
  }

  /** Today's figures per station (the live monitor). */
  async dayByStation(stationIds: string[], day: string): Promise<Map<string, Sums>> {
    await this.fold();
    const rows = await this.db.rows<Record<string, string>>(
      `SELECT s.station_id::text AS k, ${SUM_COLUMNS.map(([c]) => `sum(s.${c})::int8 AS ${c}`).join(', ')}
         FROM stats_line s WHERE s.grain = 'd' AND s.period = $2::date AND s.station_id = ANY($1::uuid[])
        GROUP BY s.station_id`,
      [stationIds, day],
    );
    return new Map(rows.map((r) => [r.k, toSums(r)]));
  }

  /**
   * Compares the rollups with a recomputation from the raw records. Without a range: every row. With [from, to]
   * (Asia/Shanghai days): the day and month rows of the whole months containing them (reads only those contacts'
   * figures; cheap enough for a nightly check of the current month).
   */
  async reconcile(range?: { from: string; to: string }, sampleSize = 5): Promise<ReconcileReport> {
    // One snapshot for the fold and every comparison: the rollups then hold exactly the changes the recomputation
    // sees, however many commits land meanwhile. A fold by the router between the snapshot and the lock is a
    // serialization failure: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.tx(async (tx) => {
          await this.db.run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ', [], tx);
          await this.fold(tx);
          return this.compare(tx, range, sampleSize);
        });
      } catch (err) {
        if (attempt >= 5 || !isSerializationFailure(err)) throw err;
      }
    }
  }

  private async compare(
    tx: Tx,
    range: { from: string; to: string } | undefined,
    sampleSize: number,
  ): Promise<ReconcileReport> {
    const months = range && { from: monthStart(range.from), to: lastDayOfMonth(range.to) };
    const tables: ReconcileTableReport[] = [];
    for (const table of ROLLUP_TABLES) {
      const fn = `kapok_stats_recompute_${table.slice(6)}`;
      const expected = months
        ? `SELECT * FROM ${fn}(($1::date)::timestamp AT TIME ZONE 'Asia/Shanghai',
                               ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`
        : `SELECT * FROM ${fn}()`;
      const actual = months
        ? `SELECT * FROM ${table} WHERE period BETWEEN $1::date AND $2::date AND (${nonZero})`
        : `SELECT * FROM ${table} WHERE ${nonZero}`;
      const row = await this.db.one<{
        expected_rows: string;
        actual_rows: string;
        missing: string;
        unexpected: string;
        samples: unknown;
      }>(
        `WITH expected AS MATERIALIZED (${expected}),
              actual AS MATERIALIZED (${actual}),
              missing AS (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual),
              unexpected AS (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected)
         SELECT (SELECT count(*) FROM expected) AS expected_rows, (SELECT count(*) FROM actual) AS actual_rows,
                (SELECT count(*) FROM missing) AS missing, (SELECT count(*) FROM unexpected) AS unexpected,
                COALESCE((SELECT jsonb_agg(x) FROM (
                   (SELECT jsonb_build_object('side', 'expected', 'row', to_jsonb(m)) AS x FROM missing m LIMIT ${sampleSize})
                   UNION ALL
                   (SELECT jsonb_build_object('side', 'actual', 'row', to_jsonb(u)) FROM unexpected u LIMIT ${sampleSize})) y),
                  '[]'::jsonb) AS samples`,
        months ? [months.from, months.to] : [],
        tx,
      );
      tables.push({
        table,
        expectedRows: Number(row!.expected_rows),
        actualRows: Number(row!.actual_rows),
        missing: Number(row!.missing),
        unexpected: Number(row!.unexpected),
        samples: row!.samples as ReconcileTableReport['samples'],
      });
    }
    return { ok: tables.every((t) => t.missing === 0 && t.unexpected === 0), range: months ?? null, tables };
  }

  /** Replaces every rollup with the recomputation, pending changes included (under an exclusive lock; writers wait). */
  async rebuild(): Promise<void> {
    await this.db.run('SELECT kapok_stats_rebuild()');
  }
}

function toSums(r: Record<string, string>): Sums {
  const s = zeroSums();
  for (const [c, f] of SUM_COLUMNS) s[f] = Number(r[c] ?? 0);
  return s;
}
