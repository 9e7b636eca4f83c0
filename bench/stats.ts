/**
 * Statistics benchmark: N contacts (default 10 million) in a fresh `kapok_bench_stats` database, the rollups built
 * from them, then the contract's statistics queries timed by month and by year, city-wide and per district.
 *
 *   npm run bench:stats -- [--contacts 10000000] [--operators 7000] [--year 2025] [--runs 5] [--reuse]
 *                          [--reconcile] [--overhead 2000] [--database kapok_bench_stats]
 *
 * Data: the Guangzhou tree (176 stations, 236 lines), --operators operators spread over the stations, contacts
 * spread over the Asia/Shanghai year --year (generate_series, in batches of a million; while bulk loading the
 * triggers are off and the secondary indexes are built afterwards): 90 % completed with an outcome (service types
 * each with probability 0.3, at least one; 0–3 problems), 10 % abandoned; waits exponential
 * (mean 12 s), handle times 1–20 minutes; 60 % phone, 25 % chat, 15 % wechat; 10 % high or critical risk.
 * Then `kapok_stats_rebuild()` builds the rollups (timed) and ANALYZE.
 *
 * Timed: the use-cases behind `GET /api/stats/service-counts` and `GET /api/stats/bulletin` (the SQL and the
 * assembly of the answer, in this process; HTTP adds about a millisecond), for a manager (city-wide) and a
 * district coordinator, each query --runs times after one warm-up; median and slowest are printed; and one round of
 * the live monitor's snapshot (what each gateway recomputes every second). For comparison,
 * the same year's totals computed from the raw contacts. --overhead N: the cost per contact of keeping the rollups
 * (N contact lifecycles through the triggers, then the same with the statistics triggers disabled).
 * --reconcile: the full check of rollups against a recomputation (reads every contact). --reuse keeps an existing
 * database of the same size instead of generating again.
 *
 * Environment: BENCH_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432).
 */
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { AuthModule, AuthUser } from '../libs/auth/src';
import { CommonModule } from '../libs/common/src';
import { KapokConfigModule, generateSecrets } from '../libs/config/src';
import { DatabaseModule, runMigrations } from '../libs/database/src';
import { DEMO_CITY_NAME, DEMO_REGIONS, OrgModule } from '../libs/org/src';
import {
  Bulletin,
  GroupBy,
  LiveSnapshots,
  RollupRepository,
  ServiceCounts,
  StatsModule,
  parseServiceCountsQuery,
} from '../libs/stats/src';

interface Options {
  contacts: number;
  operators: number;
  year: number;
  runs: number;
  reuse: boolean;
  reconcile: boolean;
  overhead: number;
  database: string;
}

function readOptions(args: string[]): Options {
  const { values: v } = parseArgs({
    args,
    options: {
      contacts: { type: 'string', default: '10_000_000' },
      operators: { type: 'string', default: '7000' },
      year: { type: 'string', default: '2025' },
      runs: { type: 'string', default: '5' },
      overhead: { type: 'string', default: '0' },
      reuse: { type: 'boolean', default: false },
      reconcile: { type: 'boolean', default: false },
      database: { type: 'string', default: 'kapok_bench_stats' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) {
    console.log(
      readFileSync(__filename, 'utf8')
        .split('*/')[0]
        .replace(/^\/\*\*|^ \* ?/gm, ''),
    );
    return process.exit(0);
  }
  const num = (flag: 'contacts' | 'operators' | 'year' | 'runs' | 'overhead', min: number) => {
    const n = Number(v[flag].replace(/_/g, ''));
    if (!Number.isFinite(n) || n < min) throw new Error(`--${flag} needs a number ≥ ${min}`);
    return Math.floor(n);
  };
  if (!/^kapok_bench_[a-z0-9_]+$/.test(v.database)) {
    throw new Error('--database needs a name starting with kapok_bench_');
  }
  return {
    contacts: num('contacts', 1000),
    operators: num('operators', 176),
    year: num('year', 2000),
    runs: num('runs', 1),
    reuse: v.reuse,
    reconcile: v.reconcile,
    overhead: num('overhead', 0),
    database: v.database,
  };
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const secs = (ms: number) => `${fmt(ms / 1000, 1)} s`;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  process.stdout.write(`  ${label} … `);
  const out = await fn();
  console.log(secs(performance.now() - t0));
  return out;
}

// ---------------------------------------------------------------------------------------------- data

async function seedTree(pg: Client, operators: number): Promise<void> {
  const unit = async (name: string, level: string, parentPath: string | null) => {
    const r = await pg.query<{ id: string; path: string }>(
      `WITH n AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_units (id, name, level, parent_id, path)
       SELECT n.id, $1, $2, (SELECT id FROM org_units WHERE path = $3), COALESCE($3, '/') || n.id || '/' FROM n
       RETURNING id, path`,
      [name, level, parentPath],
    );
    return r.rows[0];
  };
  const city = await unit(DEMO_CITY_NAME, 'city', null);
  let station = 0;
  for (const region of DEMO_REGIONS) {
    const r = await unit(region.name, 'region', city.path);
    for (const district of region.districts) {
      const d = await unit(district.name, 'district', r.path);
      for (const name of district.stations) {
        const s = await unit(`${district.name}${name}`, 'station', d.path);
        station++;
        await pg.query(`INSERT INTO hotlines (number, name, station_id) VALUES ($1, $2, $3)`, [
          `020-8100-${String(station).padStart(4, '0')}`,
          `${district.name}${name}红棉守护热线`,
          s.id,
        ]);
        if (station <= 60) {
          await pg.query(`INSERT INTO hotlines (number, name, station_id) VALUES ($1, $2, $3)`, [
            `020-8200-${String(station).padStart(4, '0')}`,
            `${district.name}${name}红棉守护热线（二线）`,
            s.id,
          ]);
        }
      }
    }
  }
  // Operators: k-th operator at the (k mod stations)-th station; a manager and a coordinator of 越秀区.
  await pg.query(
    `INSERT INTO users (username, display_name, password_hash, role, org_unit_id)
     SELECT 'bench-op-' || k, '接线社工' || k, 'x', 'operator', s.id
       FROM generate_series(0, $1 - 1) k
       JOIN (SELECT id, row_number() OVER (ORDER BY path) - 1 AS i FROM org_units WHERE level = 'station') s
         ON s.i = k % 176`,
    [operators],
  );
  await pg.query(
    `INSERT INTO users (username, display_name, password_hash, role, org_unit_id)
     SELECT 'bench-manager', '管理者', 'x', 'manager', id FROM org_units WHERE level = 'city'
     UNION ALL
     SELECT 'bench-coordinator', '越秀区协调员', 'x', 'coordinator', id FROM org_units WHERE name = '越秀区'`,
  );
  await pg.query(`INSERT INTO intake_keys (name, key_hash) VALUES ('bench', $1)`, [randomBytes(16).toString('hex')]);
}

/** Inserts `count` contacts of the Shanghai year and the outcomes of the completed ones, in one statement. */
async function insertBatch(pg: Client, year: number, start: number, count: number): Promise<void> {
  await pg.query(
    `WITH c AS (
       INSERT INTO contacts (id, hotline_id, station_id, intake_key_id, channel, risk_level, priority, status,
                             assigned_worker_id, offer_count, queued_at, offered_at, answered_at, ended_at,
                             completed_at, abandoned_at, updated_at)
       SELECT lpad(to_hex(g.n), 32, '0')::uuid, l.hotline_id, l.station_id, (SELECT id FROM intake_keys LIMIT 1),
              g.channel, g.risk,
              CASE g.risk WHEN 'critical' THEN 2 WHEN 'high' THEN 1 ELSE 0 END,
              CASE WHEN g.abandon THEN 'abandoned' ELSE 'completed' END,
              CASE WHEN g.abandon THEN NULL ELSE o.user_id END, CASE WHEN g.abandon THEN 0 ELSE 1 END,
              g.q, CASE WHEN g.abandon THEN NULL ELSE g.a - interval '2 seconds' END,
              CASE WHEN g.abandon THEN NULL ELSE g.a END,
              CASE WHEN g.abandon THEN NULL ELSE g.a + g.handle * 0.8 END,
              CASE WHEN g.abandon THEN NULL ELSE g.a + g.handle END,
              CASE WHEN g.abandon THEN g.a END,
              g.a + g.handle
         FROM (SELECT n, (timestamp '${year}-01-01 00:00' AT TIME ZONE 'Asia/Shanghai')
                        + random() * ((timestamp '${year + 1}-01-01' - timestamp '${year}-01-01')) AS q,
                      floor(random() * 236)::int AS line, floor(random() * 1000000)::int AS pick,
                      random() < 0.10 AS abandon,
                      CASE WHEN random() < 0.6 THEN 'phone' WHEN random() < 0.625 THEN 'chat' ELSE 'wechat' END AS channel,
                      CASE WHEN random() < 0.9 THEN 'normal' WHEN random() < 0.8 THEN 'high' ELSE 'critical' END AS risk,
                      make_interval(secs => -ln(1 - random()) * 12) AS wait,
                      make_interval(secs => 60 + random() * 1140) AS handle
                 FROM generate_series($1::bigint + 1, $1::bigint + $2) n) g0
        CROSS JOIN LATERAL (SELECT g0.*, g0.q + g0.wait AS a) g
         JOIN bench_lines l ON l.idx = g.line
         JOIN bench_ops o ON o.station_idx = l.station_idx AND o.k = g.pick % l.ops
       RETURNING id, status, assigned_worker_id)
     INSERT INTO outcomes (id, contact_id, worker_id, service_types, target_group, summary, psychological, material_aid, problems)
     SELECT overlay(c.id::text placing 'f' from 1 for 1)::uuid, c.id, c.assigned_worker_id, x.types,
            (ARRAY['elderly','children','disabled','low_income','mental_health','other'])[1 + floor(random() * 6)::int],
            '基准测试记录',
            CASE WHEN 'psychological_support' = ANY(x.types) THEN jsonb_build_object('riskAssessment',
              (ARRAY['none','low','medium','high','imminent'])[1 + floor(random() * 5)::int], 'interventions', '[]'::jsonb) END,
            CASE WHEN 'material_aid' = ANY(x.types) THEN '{"items":[{"category":"food","description":"大米","quantity":1}]}'::jsonb END,
            (SELECT COALESCE(jsonb_agg(jsonb_build_object('category', 'p' || i, 'resolution',
                      (ARRAY['resolved','resolved','referred','unresolved'])[1 + floor(random() * 4)::int])), '[]'::jsonb)
               FROM generate_series(1, floor(random() * 4)::int + 0 * length(c.id::text)) i)
       FROM c
      CROSS JOIN LATERAL (
        SELECT ARRAY(SELECT t FROM unnest(ARRAY['psychological_support','emotional_support','material_aid',
                      'policy_consultation','resource_linking','emergency_assistance','referral']) t
                      WHERE random() < 0.3 AND c.id IS NOT NULL) AS picked) p
      CROSS JOIN LATERAL (SELECT CASE WHEN cardinality(p.picked) = 0 THEN ARRAY['emotional_support'] ELSE p.picked END AS types) x
      WHERE c.status = 'completed'`,
    [start, count],
  );
}

async function generate(url: string, o: Options): Promise<void> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    await pg.query(`SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'; SET synchronous_commit = off`);
    await timed('org tree, lines, operators', () => seedTree(pg, o.operators));
    await pg.query(`
      CREATE TABLE bench_lines AS
        SELECT row_number() OVER (ORDER BY h.number)::int - 1 AS idx, h.id AS hotline_id, h.station_id,
               s.i AS station_idx, (SELECT count(*) FROM users u WHERE u.org_unit_id = h.station_id AND u.role = 'operator')::int AS ops
          FROM hotlines h JOIN (SELECT id, row_number() OVER (ORDER BY path)::int - 1 AS i FROM org_units WHERE level = 'station') s
            ON s.id = h.station_id;
      CREATE TABLE bench_ops AS
        SELECT s.i AS station_idx, (row_number() OVER (PARTITION BY u.org_unit_id ORDER BY u.id))::int - 1 AS k, u.id AS user_id
          FROM users u JOIN (SELECT id, row_number() OVER (ORDER BY path)::int - 1 AS i FROM org_units WHERE level = 'station') s
            ON s.id = u.org_unit_id
         WHERE u.role = 'operator';
      CREATE INDEX ON bench_ops (station_idx, k);
      ANALYZE bench_lines; ANALYZE bench_ops;`);
    // Bulk load without triggers (the rollups are built afterwards, set-based), without FK checks, with ids in
    // ascending order and the secondary indexes built afterwards (all as a data-loading tool would).
    const indexes = await pg.query<{ name: string; def: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
        WHERE i.indrelid IN ('contacts'::regclass, 'outcomes'::regclass)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    );
    for (const i of indexes.rows) await pg.query(`DROP INDEX ${i.name}`);
    await pg.query(`SET session_replication_role = replica`);
    const batch = 1_000_000;
    for (let done = 0; done < o.contacts; done += batch) {
      const n = Math.min(batch, o.contacts - done);
      await timed(`contacts ${fmt(done + 1)}–${fmt(done + n)} and their outcomes`, () =>
        insertBatch(pg, o.year, done, n),
      );
    }
    await pg.query(`SET session_replication_role = origin`);
    await timed(`${indexes.rows.length} secondary indexes of contacts and outcomes`, async () => {
      for (const i of indexes.rows) await pg.query(i.def);
    });
    await timed('VACUUM ANALYZE contacts, outcomes', async () => {
      await pg.query('VACUUM ANALYZE contacts');
      await pg.query('VACUUM ANALYZE outcomes');
    });
  } finally {
    await pg.end();
  }
}

// ---------------------------------------------------------------------------------------------- queries

@Module({ imports: [KapokConfigModule, CommonModule, DatabaseModule, AuthModule, OrgModule, StatsModule] })
class BenchStatsModule {}

interface Timing {
  query: string;
  scope: string;
  rows: number;
  median: number;
  max: number;
}

async function measure(
  runs: number,
  fn: () => Promise<number>,
): Promise<{ rows: number; median: number; max: number }> {
  let rows = await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    rows = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { rows, median: times[Math.floor(times.length / 2)], max: times[times.length - 1] };
}

function printTable(rows: Timing[]): void {
  const head = ['query', 'scope', 'rows', 'median ms', 'slowest ms'];
  const cells = rows.map((r) => [r.query, r.scope, String(r.rows), fmt(r.median, 1), fmt(r.max, 1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    `| ${c.map((x, i) => (i >= 2 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<void> {
  const o = readOptions(process.argv.slice(2));
  const server = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  const DB_NAME = o.database;
  const url = `${server}/${DB_NAME}`;
  console.log(
    `Statistics benchmark: ${fmt(o.contacts)} contacts in ${o.year} (Asia/Shanghai), ${fmt(o.operators)} operators, database ${DB_NAME}`,
  );

  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  let reuse = false;
  if (o.reuse) {
    const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [DB_NAME]);
    if (exists.rowCount) {
      const pg = new Client({ connectionString: url });
      await pg.connect();
      const meta = await pg
        .query<{ contacts: string; year: number }>('SELECT contacts, year FROM bench_meta')
        .catch(() => ({ rows: [] as { contacts: string; year: number }[] }));
      await pg.end();
      reuse = Number(meta.rows[0]?.contacts) === o.contacts && meta.rows[0]?.year === o.year;
      console.log(
        reuse ? '  --reuse: the database holds the same data set' : '  --reuse: another data set, generating again',
      );
    }
  }
  if (!reuse) {
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
  }
  await admin.end();

  const t0 = performance.now();
  if (!reuse) {
    console.log('\nGenerating');
    await timed('migrations', () => runMigrations(url));
    await generate(url, o);
    const pg = new Client({ connectionString: url });
    await pg.connect();
    await pg.query(`SET work_mem = '256MB'`);
    await timed('rollups: kapok_stats_rebuild() over every contact', () => pg.query('SELECT kapok_stats_rebuild()'));
    await pg.query('ANALYZE stats_line; ANALYZE stats_worker; ANALYZE stats_target; ANALYZE stats_service');
    await pg.query('CREATE TABLE bench_meta AS SELECT $1::bigint AS contacts, $2::int AS year', [o.contacts, o.year]);
    await pg.end();
    console.log(`  total ${secs(performance.now() - t0)}`);
  }
  {
    const pg = new Client({ connectionString: url });
    await pg.connect();
    const sizes = await pg.query<{ t: string; n: string; size: string }>(
      `SELECT t, (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM ' || t, false, true, '')))[1]::text AS n,
              pg_size_pretty(pg_total_relation_size(t)) AS size
         FROM unnest(ARRAY['contacts','outcomes','stats_line','stats_worker','stats_target','stats_service']) t`,
    );
    console.log('\nTables');
    for (const s of sizes.rows) console.log(`  ${s.t.padEnd(14)} ${fmt(Number(s.n)).padStart(12)} rows  ${s.size}`);
    await pg.end();
  }

  process.env.DATABASE_URL = url;
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  process.env.NODE_ENV = 'development';
  process.env.LOG_LEVEL = 'error';
  process.env.DB_POOL_SIZE = '4';
  process.env.DB_MIGRATE = 'false';
  Object.assign(process.env, generateSecrets()); // no built-in keys: random ones for this run
  const app: INestApplicationContext = await NestFactory.createApplicationContext(BenchStatsModule, {
    logger: ['error'],
  });
  try {
    const pg = new Client({ connectionString: url });
    await pg.connect();
    const person = async (username: string): Promise<AuthUser> => {
      const r = await pg.query(`SELECT id, username, display_name, role, org_unit_id FROM users WHERE username = $1`, [
        username,
      ]);
      const u = r.rows[0];
      return { id: u.id, username: u.username, displayName: u.display_name, role: u.role, orgUnitId: u.org_unit_id };
    };
    const manager = await person('bench-manager');
    const coordinator = await person('bench-coordinator');
    const counts = app.get(ServiceCounts);
    const y = o.year;
    const month = `${y}-06`;
    const ranges = {
      month: [`${month}-01`, `${month}-30`],
      year: [`${y}-01-01`, `${y}-12-31`],
      loose: [`${y}-01-15`, `${y}-12-10`],
    } as const;
    const plan: [string, keyof typeof ranges, GroupBy][] = [
      ['month', 'month', 'district'],
      ['month', 'month', 'station'],
      ['month', 'month', 'day'],
      ['month', 'month', 'serviceType'],
      ['month', 'month', 'worker'],
      ['year', 'year', 'month'],
      ['year', 'year', 'week'],
      ['year', 'year', 'day'],
      ['year', 'year', 'region'],
      ['year', 'year', 'district'],
      ['year', 'year', 'station'],
      ['year', 'year', 'hotline'],
      ['year', 'year', 'channel'],
      ['year', 'year', 'serviceType'],
      ['year', 'year', 'targetGroup'],
      ['year', 'year', 'worker'],
      ['Jan 15–Dec 10', 'loose', 'district'],
    ];
    const results: Timing[] = [];
    for (const [who, user] of [
      ['city-wide (manager)', manager],
      ['越秀区 (coordinator)', coordinator],
    ] as const) {
      for (const [label, range, groupBy] of plan) {
        if (user === coordinator && !['district', 'station', 'day', 'month', 'worker'].includes(groupBy)) continue;
        const [from, to] = ranges[range];
        const q = parseServiceCountsQuery({ from, to, groupBy });
        const m = await measure(o.runs, async () => (await counts.execute(user, q)).rows.length);
        results.push({ query: `service-counts ${label} by ${groupBy}`, scope: who, ...m });
      }
      const b = await measure(o.runs, async () => {
        await app.get(Bulletin).execute(user, month, `${month}-01`);
        return 1;
      });
      results.push({ query: `bulletin ${month}`, scope: who, ...b });
    }
    // The live monitor: one snapshot round (what each gateway does every second while monitors are connected).
    const live = app.get(LiveSnapshots);
    for (const [who, user] of [
      ['city-wide (manager)', manager],
      ['越秀区 (coordinator)', coordinator],
    ] as const) {
      const scope = await live.scopeFor(user);
      const m = await measure(o.runs, async () => (await live.build([scope])).get(scope.key)!.units.length);
      results.push({ query: 'live queue:snapshot (one round)', scope: who, ...m });
    }
    // The same year's totals from the raw records, for comparison (what a query without rollups costs).
    await pg.query(`SET max_parallel_workers_per_gather = 2`);
    const raw = await measure(Math.min(o.runs, 2), async () => {
      await pg.query(
        `SELECT count(*), count(answered_at), count(*) FILTER (WHERE status = 'completed'),
                avg(extract(epoch FROM answered_at - queued_at))
           FROM contacts WHERE queued_at >= ($1::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
                           AND queued_at < ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`,
        [...ranges.year],
      );
      return 1;
    });
    results.push({ query: 'raw contacts: year totals (no rollups)', scope: 'city-wide', ...raw });
    console.log(`\nQueries (${o.runs} runs each after a warm-up; in-process use-case: SQL + assembly)`);
    printTable(results);

    if (o.overhead > 0) {
      console.log(
        `\nCost of keeping the rollups (${fmt(o.overhead)} contact lifecycles: intake, answer, outcome + complete)`,
      );
      const created: string[] = [];
      const lifecycle = async (n: number) => {
        const ids = await pg.query<{ hotline_id: string; station_id: string; user_id: string; key: string }>(
          `SELECT l.hotline_id, l.station_id, o.user_id, (SELECT id FROM intake_keys LIMIT 1) AS key
             FROM bench_lines l JOIN bench_ops o ON o.station_idx = l.station_idx AND o.k = 0 ORDER BY l.idx LIMIT 50`,
        );
        const t = performance.now();
        for (let i = 0; i < n; i++) {
          const l = ids.rows[i % ids.rows.length];
          const c = await pg.query<{ id: string }>(
            `INSERT INTO contacts (hotline_id, station_id, intake_key_id, channel) VALUES ($1, $2, $3, 'chat') RETURNING id`,
            [l.hotline_id, l.station_id, l.key],
          );
          const id = c.rows[0].id;
          created.push(id);
          await pg.query(
            `UPDATE contacts SET status = 'offered', assigned_worker_id = $2, offered_at = now() WHERE id = $1`,
            [id, l.user_id],
          );
          await pg.query(`UPDATE contacts SET status = 'active', answered_at = now() WHERE id = $1`, [id]);
          await pg.query('BEGIN');
          await pg.query(
            `INSERT INTO outcomes (contact_id, worker_id, service_types, target_group, summary, problems)
             VALUES ($1, $2, '{emotional_support}', 'elderly', 'bench', '[{"category":"x","resolution":"resolved"}]')`,
            [id, l.user_id],
          );
          await pg.query(
            `UPDATE contacts SET status = 'completed', completed_at = now(), ended_at = now() WHERE id = $1`,
            [id],
          );
          await pg.query('COMMIT');
        }
        return (performance.now() - t) / n;
      };
      const stats = ['contacts_stats_insert', 'contacts_stats_update'];
      const ostats = ['outcomes_stats_insert_delete', 'outcomes_stats_update'];
      const toggle = async (on: boolean) => {
        for (const t of stats) await pg.query(`ALTER TABLE contacts ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${t}`);
        for (const t of ostats) await pg.query(`ALTER TABLE outcomes ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${t}`);
      };
      // Database time inside the statistics trigger functions (pg_stat_user_functions, this session only).
      const fnTime = async () => {
        await pg.query('SELECT pg_stat_force_next_flush()');
        await pg.query('SELECT 1');
        await pg.query('SELECT pg_stat_clear_snapshot()');
        const r = await pg.query<{ ms: number }>(
          `SELECT COALESCE(sum(total_time), 0)::float8 AS ms FROM pg_stat_user_functions
            WHERE funcname IN ('kapok_stats_on_contact', 'kapok_stats_on_outcome', 'kapok_stats_fold')`,
        );
        return r.rows[0].ms;
      };
      await pg.query(`SET track_functions = 'pl'`);
      await lifecycle(50);
      // interleaved rounds, so that the cache and autovacuum drift alike on both sides
      let withMs = 0;
      let withoutMs = 0;
      let triggerMs = 0;
      const rounds = 4;
      const per = Math.max(1, Math.floor(o.overhead / rounds));
      for (let r = 0; r < rounds; r++) {
        const before = await fnTime();
        withMs += await lifecycle(per);
        // the fold the router would run meanwhile (migration 1765500000000), counted per contact like the triggers
        const folding = performance.now();
        await pg.query('SELECT kapok_stats_fold()');
        withMs += (performance.now() - folding) / per;
        triggerMs += (await fnTime()) - before;
        await toggle(false);
        created.length = 0;
        withoutMs += await lifecycle(per);
        // the contacts made without triggers go again (still without triggers): the rollups stay exact
        await pg.query('DELETE FROM outcomes WHERE contact_id = ANY($1::uuid[])', [created]);
        await pg.query('DELETE FROM contacts WHERE id = ANY($1::uuid[])', [created]);
        await toggle(true);
      }
      console.log(
        `  database time in the statistics triggers: ${fmt(triggerMs / (per * rounds), 2)} ms per contact ` +
          `(4 counted changes, 3 commits)`,
      );
      console.log(
        `  wall clock per contact, one client: ${fmt(withMs / rounds, 2)} ms with rollups, ` +
          `${fmt(withoutMs / rounds, 2)} ms without`,
      );
    }

    if (o.reconcile) {
      console.log('\nReconciliation');
      const report = await timed('rollups vs recomputation from every contact', () =>
        app.get(RollupRepository).reconcile(),
      );
      console.log(
        `  ok: ${report.ok}  (${report.tables.map((t) => `${t.table} ${fmt(t.expectedRows)} rows`).join(', ')})`,
      );
      const m = await timed(`the month ${month} only`, () =>
        app.get(RollupRepository).reconcile({ from: `${month}-01`, to: `${month}-30` }),
      );
      console.log(`  ok: ${m.ok}`);
    }
    await pg.end();
  } finally {
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
