/**
 * Accounts import benchmark: a city's workers imported from one CSV through `POST /api/admin/users/import`, timed
 * over HTTP against a gateway in this process (real Postgres and Redis).
 *
 *   node -r @swc-node/register bench/admin-import.ts [--rows 7000] [--database kapok_bench_admin]
 *
 * Drops and creates the database (`kapok_bench_*` only), migrates it and lets the gateway seed the demo data (the
 * Guangzhou tree: 176 stations; `demo-admin`), gives every station a code (GZ-0001 …), then as `demo-admin`:
 * 1. imports --rows accounts (operators spread over the stations by code, every 50th a coordinator of a district by
 *    id, languages and skills) with generated temporary passwords — what an admin does for a new centre;
 * 2. imports --rows more with `?password=…&mustChange=false` (one password, hashed once);
 * 3. imports --rows more with one bad row at the end (all checked, 400, nothing written);
 * 4. exports every account as CSV;
 * and signs in as one imported account of each kind. Prints the time of each step.
 *
 * Environment: BENCH_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), REDIS_URL (default
 * redis://127.0.0.1:6379).
 */
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { Client } from 'pg';
import { GatewayModule } from '../apps/gateway/src/gateway.module';
import { setupGatewayApp } from '../apps/gateway/src/setup-app';
import { generateSecrets } from '../libs/config/src';
import { SeedDemo } from '../libs/demo/src';
import { runMigrations } from '../libs/database/src';

const HEADER = 'username,displayName,role,orgUnitCode,languages,skills';
const SURNAMES = '陈李黄张梁林何王吴刘郑谢罗冯邓许曾彭萧蔡潘';
const GIVEN = '晓明惠芳志强淑仪建国丽华伟杰美玲嘉欣俊豪';
const SKILLS = ['psychological_support', 'emotional_support', 'material_aid', 'policy_consultation', 'elderly'];

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  process.stdout.write(`  ${label} … `);
  const t0 = performance.now();
  const out = await fn();
  console.log(fmt(performance.now() - t0));
  return out;
}

function csvOf(prefix: string, rows: number, stations: string[], districts: string[], badLast = false): string {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const name = `${SURNAMES[i % SURNAMES.length]}${GIVEN.slice((i * 2) % GIVEN.length, ((i * 2) % GIVEN.length) + 2)}`;
    const coordinator = i % 50 === 49;
    const unit = coordinator ? districts[i % districts.length] : stations[i % stations.length];
    const skills = [SKILLS[i % SKILLS.length], SKILLS[(i + 2) % SKILLS.length]].join('|');
    lines.push(`${prefix}-${i},${name},${coordinator ? 'coordinator' : 'operator'},${unit},yue|cmn,${skills}`);
  }
  if (badLast) lines[lines.length - 1] = `${prefix}-bad,坏行,operator,NO-SUCH-STATION,,`;
  return `${lines.join('\r\n')}\r\n`;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      rows: { type: 'string', default: '7000' },
      database: { type: 'string', default: 'kapok_bench_admin' },
    },
  });
  const rows = Number(v.rows);
  if (!Number.isInteger(rows) || rows < 1 || rows > 10_000) throw new Error('--rows needs 1 … 10000');
  if (!/^kapok_bench_[a-z0-9_]+$/.test(v.database)) throw new Error('--database needs a name kapok_bench_…');
  const server = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  const databaseUrl = `${server}/${v.database}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `kapok-bench-${randomUUID().slice(0, 8)}`;

  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${v.database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${v.database}`);
  await admin.end();
  await runMigrations(databaseUrl);

  Object.assign(process.env, {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DEMO: 'true',
    ...generateSecrets(),
  });
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule, { logger: ['error', 'warn'] });
  setupGatewayApp(app);
  await app.get(SeedDemo).execute(); // as the gateway's main does with DEMO=true
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const signIn = async (username: string, password: string) => {
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (res.status !== 200) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { accessToken: string; mustChangePassword: boolean };
    };
    const { accessToken } = await signIn('demo-admin', 'hotline-demo');
    await pg.query(
      `UPDATE org_units u SET code = 'GZ-' || lpad(n::text, 4, '0')
         FROM (SELECT id, row_number() OVER (ORDER BY path) AS n FROM org_units WHERE level = 'station') s
        WHERE u.id = s.id`,
    );
    const stations = (await pg.query<{ code: string }>(`SELECT code FROM org_units WHERE level = 'station'`)).rows.map(
      (r) => r.code,
    );
    const districts = (await pg.query<{ id: string }>(`SELECT id FROM org_units WHERE level = 'district'`)).rows.map(
      (r) => r.id,
    );
    const post = async (csv: string, query = '') => {
      const res = await fetch(`${url}/api/admin/users/import${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'text/csv; charset=utf-8' },
        body: csv,
      });
      return { status: res.status, body: (await res.json()) as any };
    };

    const generated = csvOf('gen', rows, stations, districts);
    console.log(
      `Importing ${rows} accounts over ${stations.length} stations and ${districts.length} districts ` +
        `(CSV ${(Buffer.byteLength(generated) / 1024).toFixed(0)} KB):`,
    );
    const a = await timed('generated temporary passwords', () => post(generated));
    if (a.status !== 201 || a.body.created !== rows) throw new Error(`import: ${a.status} ${JSON.stringify(a.body)}`);
    const b = await timed('?password=…&mustChange=false', () =>
      post(csvOf('pwd', rows, stations, districts), '?password=bench-drill-2026&mustChange=false'),
    );
    if (b.status !== 201 || b.body.created !== rows) throw new Error(`import: ${b.status} ${JSON.stringify(b.body)}`);
    const c = await timed('one bad row (checked, refused, nothing written)', () =>
      post(csvOf('bad', rows, stations, districts, true)),
    );
    if (c.status !== 400) throw new Error(`bad import: ${c.status}`);
    const exported = await timed(`export (${rows * 2 + 6} accounts)`, async () => {
      const res = await fetch(`${url}/api/admin/users/export`, { headers: { authorization: `Bearer ${accessToken}` } });
      return res.text();
    });
    const first = a.body.users[0] as { username: string; temporaryPassword: string };
    const t = await signIn(first.username, first.temporaryPassword);
    const d = await signIn('pwd-0', 'bench-drill-2026');
    const created = (await pg.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE username LIKE 'bad-%'`))
      .rows[0].n;
    console.log(
      `  checks: ${first.username} signs in (mustChangePassword ${t.mustChangePassword}), pwd-0 signs in ` +
        `(mustChangePassword ${d.mustChangePassword}); accounts written by the bad import: ${created}; ` +
        `export lines: ${exported.trimEnd().split('\r\n').length}`,
    );
  } finally {
    await pg.end();
    await app.close();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
