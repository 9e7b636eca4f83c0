/**
 * The routing simulation as a benchmark: the demo tree (176 stations), N operators with shifts and skills on
 * socket.io, M contacts of mixed risk, language and channel at a steady rate. Prints first-offer latency by priority
 * and for contacts that overflowed out of their station. Gateway and router run in this process (with the scripted
 * clients), against a fresh database `kapok_bench_sim`.
 *
 *   npm run bench:simulation -- [--operators 300] [--contacts 2000] [--rate 20] [--help]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { generateSecrets } from '../libs/config/src';
import { runMigrations } from '../libs/database/src';
import { SeedDemo } from '../libs/demo/src';
import { startStack } from '../test/support/stack';
import { DEFAULT_SIMULATION, percentile, runSimulation } from './simulation';

async function main() {
  const { values: args } = parseArgs({
    options: {
      operators: { type: 'string', default: '300' },
      contacts: { type: 'string', default: '2000' },
      rate: { type: 'string', default: '20' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (args.help) {
    console.log(
      readFileSync(__filename, 'utf8')
        .split('*/')[0]
        .replace(/^\/\*\*|^ \* ?/gm, ''),
    );
    return process.exit(0);
  }
  const num = (flag: 'operators' | 'contacts' | 'rate') => {
    const n = Number(args[flag]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} needs a positive number`);
    return n;
  };
  const server = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS kapok_bench_sim WITH (FORCE)');
  await admin.query('CREATE DATABASE kapok_bench_sim');
  await admin.end();
  await runMigrations(`${server}/kapok_bench_sim`);
  const stack = await startStack({
    ...generateSecrets(), // no built-in keys: random ones for this run
    DATABASE_URL: `${server}/kapok_bench_sim`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    DB_POOL_SIZE: '20',
    LOG_LEVEL: 'error',
    OFFER_TIMEOUT_SECONDS: '2',
    OVERFLOW_DISTRICT_SECONDS: '1',
    OVERFLOW_REGION_SECONDS: '2',
    OVERFLOW_CITY_SECONDS: '3',
    SKILL_RELAX_SECONDS: '1.5',
    RECONCILE_INTERVAL_SECONDS: '2',
  });
  try {
    await stack.app.get(SeedDemo).execute();
    const opts = {
      ...DEFAULT_SIMULATION,
      operators: num('operators'),
      contacts: num('contacts'),
      ratePerSecond: num('rate'),
    };
    const r = await runSimulation(stack.app, stack.url, opts);
    const row = (name: string, xs: number[]) =>
      `${name.padEnd(12)} ${String(xs.length).padStart(6)} ${String(percentile(xs, 50)).padStart(8)} ${String(percentile(xs, 99)).padStart(8)}`;
    console.log(
      `\n${opts.contacts} contacts at ${opts.ratePerSecond}/s, ${opts.operators} operators, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    );
    console.log('first offer   count   p50 ms   p99 ms');
    for (const k of ['critical', 'high', 'normal']) console.log(row(k, r.latency[k]));
    console.log(row('overflowed', r.overflowLatency));
    console.log(
      `violations: ${r.violations.length}${r.violations.length ? ` (${r.violations.slice(0, 3).join('; ')})` : ''}`,
    );
  } finally {
    await stack.close();
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
