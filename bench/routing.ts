/**
 * Routing benchmark: real gateway and router processes (from dist/), a fresh `kapok_bench` database, N scripted
 * operators on socket.io and a steady stream of contacts through `POST /api/contacts`.
 *
 *   npm run bench -- [--operators 100] [--rate 20] [--duration 20] [--handle-ms 50]
 *                    [--find-max] [--gateways 1] [--routers 1] [--dump latencies.csv]
 *
 * Each operator accepts every offer, "talks" for --handle-ms, then the contact is ended (intake key) and its
 * outcome recorded (the operator's token). Reported: contacts sent and completed, throughput, and the latency from
 * just before the intake request to the moment the operator's socket receives the `contact:offer` for it.
 * --find-max runs steps of 20, 40, 80, 160 … contacts/s until p99 > 100 ms or fewer than 95 % complete.
 * While each step runs, the CPU time of every process involved is read from /proc (Linux). --dump writes every
 * contact's send time (s from the step's start) and intake→offer latency (ms) as CSV.
 *
 * Environment: BENCH_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), REDIS_URL (default
 * redis://127.0.0.1:6379). Only loopback servers are used; every process it starts is stopped before it exits.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { hash } from '@node-rs/argon2';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { generateSecrets } from '../libs/config/src';

// ---------------------------------------------------------------------------------------------- options

interface Options {
  operators: number;
  rate: number;
  duration: number;
  handleMs: number;
  findMax: boolean;
  gateways: number;
  routers: number;
  dump?: string;
}

function readOptions(args: string[]): Options {
  const { values: v } = parseArgs({
    args,
    options: {
      operators: { type: 'string', default: '100' },
      rate: { type: 'string', default: '20' },
      duration: { type: 'string', default: '20' },
      'handle-ms': { type: 'string', default: '50' },
      gateways: { type: 'string', default: '1' },
      routers: { type: 'string', default: '1' },
      'find-max': { type: 'boolean', default: false },
      dump: { type: 'string' },
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
  const num = (flag: keyof typeof v, min: number) => {
    const n = Number(v[flag]);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${flag} needs a number ≥ ${min}`);
    return n;
  };
  return {
    operators: Math.floor(num('operators', 1)),
    rate: num('rate', 0.1),
    duration: num('duration', 1),
    handleMs: num('handle-ms', 0),
    findMax: v['find-max'],
    gateways: Math.floor(num('gateways', 1)),
    routers: Math.floor(num('routers', 1)),
    dump: v.dump,
  };
}

// ---------------------------------------------------------------------------------------------- processes

const ROOT = resolve(__dirname, '..');
const entry = (app: string) => join(ROOT, 'dist/apps', app, 'apps', app, 'src/main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Proc {
  readonly child: ChildProcess;
  private out = '';
  constructor(
    readonly name: string,
    app: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [entry(app)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => void (this.out = (this.out + b.toString()).slice(-20_000));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }
  get pid(): number {
    return this.child.pid!;
  }
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  get log(): string {
    return this.out.trim();
  }
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.running && this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

// ---------------------------------------------------------------------------------------------- CPU from /proc

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function procTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    return Number(f[11]) + Number(f[12]); // utime + stime (#14, #15)
  } catch {
    return 0;
  }
}

function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** Postgres processes working for this bench: backends connected to `database`, and the shared writers. */
function postgresPids(database: string): number[] {
  return pidsNamed('postgres').filter((pid) => {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      return title.includes(` ${database} `) || /(walwriter|background writer|checkpointer)/.test(title);
    } catch {
      return false;
    }
  });
}

/** Busy ticks of the whole machine, all CPUs added up (steal excluded). */
function machineBusyTicks(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return user + nice + system + irq + softirq;
}

type CpuGroups = Record<string, () => number[]>;

/**
 * CPU use of each group of processes over a window, in % of one core (this machine's 2 cores make 200 %), plus
 * the whole machine and `other`: what the rest of the machine used meanwhile.
 */
class CpuWindow {
  private start = new Map<string, Map<number, number>>();
  private machine = machineBusyTicks();
  private t0 = performance.now();
  constructor(private readonly groups: CpuGroups) {
    for (const [name, pids] of Object.entries(groups))
      this.start.set(name, new Map(pids().map((p) => [p, procTicks(p)])));
  }
  finish(): Record<string, number> {
    const seconds = (performance.now() - this.t0) / 1000;
    const pct = (ticks: number) => (100 * ticks) / TICKS_PER_SECOND / seconds;
    const out: Record<string, number> = {};
    for (const [name, pids] of Object.entries(this.groups)) {
      const before = this.start.get(name)!;
      // processes that came and went during the window are not counted; ones that started in it count whole
      out[name] = pct(sum(pids().map((p) => procTicks(p) - (before.get(p) ?? 0))));
    }
    const mine = sum(Object.values(out));
    out.machine = pct(machineBusyTicks() - this.machine);
    out.other = Math.max(0, out.machine - mine);
    return out;
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------- HTTP

async function api(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; key?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['x-api-key'] = opts.key;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Runs fn over items with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------- the bench

const OUTCOME = {
  serviceTypes: ['emotional_support'],
  targetGroup: 'other',
  summary: 'benchmark contact',
  problems: [{ category: 'bench', resolution: 'resolved' }],
};

interface Tracking {
  offeredAt: Map<string, number>; // contact id → when its offer reached an operator's socket
  completed: Map<string, number>; // contact id → when its outcome was recorded
  errors: string[];
}

class BenchOperator {
  socket!: Socket;
  constructor(
    readonly gateway: string,
    readonly token: string,
    private readonly all: string[],
    private readonly intakeKey: string,
    private readonly handleMs: number,
    private readonly t: Tracking,
  ) {}

  async connect(): Promise<void> {
    this.socket = io(`${this.gateway}/agent`, {
      auth: { token: this.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('no agent:state within 15 s')), 15_000);
      this.socket.once('agent:state', () => {
        clearTimeout(timer);
        res();
      });
      this.socket.once('connect_error', (e) => {
        clearTimeout(timer);
        rej(e);
      });
    });
    this.socket.on('contact:offer', (offer: { offerId: string; contact: { id: string } }) => {
      if (!this.t.offeredAt.has(offer.contact.id)) this.t.offeredAt.set(offer.contact.id, performance.now());
      void this.handle(offer.offerId, offer.contact.id);
    });
    this.socket.on('offer:revoked', (e) => this.t.errors.push(`offer revoked: ${JSON.stringify(e)}`));
    const ack = await this.socket.timeout(15_000).emitWithAck('presence:set', { status: 'available' });
    if (!ack?.ok) throw new Error(`presence:set: ${JSON.stringify(ack)}`);
  }

  private async handle(offerId: string, id: string): Promise<void> {
    try {
      const ack = await this.socket.timeout(15_000).emitWithAck('offer:accept', { offerId });
      if (!ack?.ok) throw new Error(`accept ${id}: ${JSON.stringify(ack)}`);
      await sleep(this.handleMs);
      const gw = this.all[Math.floor(Math.random() * this.all.length)];
      const ended = await api(gw, 'POST', `/contacts/${id}/end`, { key: this.intakeKey });
      if (ended.status !== 200) throw new Error(`end ${id}: ${ended.status} ${JSON.stringify(ended.body)}`);
      const out = await api(gw, 'POST', `/contacts/${id}/outcome`, { token: this.token, body: OUTCOME });
      if (out.status !== 201) throw new Error(`outcome ${id}: ${out.status} ${JSON.stringify(out.body)}`);
      this.t.completed.set(id, performance.now());
    } catch (err) {
      this.t.errors.push((err as Error).message);
    }
  }
}

interface StepResult {
  rate: number;
  sent: number;
  accepted: number;
  completed: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  offers: number;
  loopLagP99: number;
  cpu: Record<string, number>;
  errors: string[];
  samples: [number, number][]; // [sent at, s from the step's start; latency ms]
  pgWaits: [string, number][]; // what kapok_bench's busy backends were doing, share of samples
  /** p50/p95 of each leg: intake request → row inserted, → offer transaction started, → offer on the socket. */
  legs: Record<string, [number, number]>;
}

/**
 * Samples what the bench database's backends are doing (pg_stat_activity, every 200 ms): busy running, waiting
 * for a lock (and which statement waits), or idle inside a transaction (waiting for the Node process).
 */
class PgSampler {
  private counts = new Map<string, number>();
  private samples = 0;
  private timer?: NodeJS.Timeout;
  private busy = false;
  constructor(private readonly db: Client) {}
  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.db
        .query<{ what: string; n: number }>(
          `SELECT CASE WHEN state = 'idle in transaction' THEN 'idle in transaction (waiting for the app)'
                       WHEN wait_event_type = 'Lock' THEN 'lock wait (' || wait_event || '): ' ||
                            regexp_replace(left(query, 40), '[[:space:]]+', ' ', 'g')
                       WHEN wait_event_type IS NOT NULL THEN 'active, ' || wait_event_type || ':' || wait_event
                       ELSE 'active (on CPU)' END AS what, count(*)::int AS n
             FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND state NOT IN ('idle')
            GROUP BY 1`,
        )
        .then((r) => {
          this.samples++;
          for (const row of r.rows) this.counts.set(row.what, (this.counts.get(row.what) ?? 0) + row.n);
        })
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, 200);
  }
  /** Average number of backends in each state over the samples, largest first. */
  stop(): [string, number][] {
    clearInterval(this.timer);
    return [...this.counts.entries()]
      .map(([k, n]) => [k, n / Math.max(1, this.samples)] as [string, number])
      .sort((a, b) => b[1] - a[1]);
  }
}

/** A new caller every time (a repeat caller would be reserved for the operator who served them last). */
let callers = 0;
const nextCaller = () => `13${String(++callers).padStart(9, '0')}`;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runStep(
  rate: number,
  seconds: number,
  env: { gateways: string[]; intakeKey: string; hotline: string; t: Tracking; cpu: CpuGroups; pg: Client },
): Promise<StepResult> {
  const { t } = env;
  const sentAt = new Map<string, number>();
  const errorsBefore = t.errors.length;
  const total = Math.round(rate * seconds);
  const ids: string[] = [];
  const intakeErrors: string[] = [];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu = new CpuWindow(env.cpu);
  const pgSampler = new PgSampler(env.pg);
  pgSampler.start();
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && t0 + (i * 1000) / rate <= now) {
      const n = i++;
      const start = performance.now();
      inflight.push(
        api(env.gateways[n % env.gateways.length], 'POST', '/contacts', {
          key: env.intakeKey,
          body: { hotlineNumber: env.hotline, channel: 'phone', callerNumber: nextCaller() },
        }).then(
          (res) => {
            if (res.status !== 201) intakeErrors.push(`intake: ${res.status} ${JSON.stringify(res.body)}`);
            else {
              sentAt.set(res.body.id, start);
              ids.push(res.body.id);
            }
          },
          (err) =>
            void intakeErrors.push(
              `intake: ${(err as Error).message} (${(err as { cause?: Error }).cause?.message ?? ''})`,
            ),
        ),
      );
    }
    const wait = t0 + (i * 1000) / rate - performance.now();
    await sleep(Math.max(1, Math.min(wait, 20)));
  }
  await Promise.all(inflight);
  const sendSeconds = (performance.now() - t0) / 1000;
  const cpuUse = cpu.finish();
  const pgWaits = pgSampler.stop();
  lag.disable();

  // Drain: wait for everything sent in this step to complete (bounded).
  const drainUntil = performance.now() + Math.max(10_000, seconds * 500);
  const done = () => ids.filter((id) => t.completed.has(id)).length;
  while (done() < ids.length && performance.now() < drainUntil) await sleep(50);
  const lastDone = ids.reduce((m, id) => Math.max(m, ((t.completed.get(id) ?? t0) - t0) / 1000), 0);

  const lat = ids
    .filter((id) => t.offeredAt.has(id))
    .map((id) => t.offeredAt.get(id)! - sentAt.get(id)!)
    .sort((a, b) => a - b);
  const completed = done();

  // Where the time goes, from the database's timestamps (now() = the start of each row's transaction).
  const epoch = (t: number) => performance.timeOrigin + t;
  const rows = await env.pg.query<{ id: string; q: number; o: number | null }>(
    `SELECT id, extract(epoch FROM queued_at) * 1000 AS q, extract(epoch FROM offered_at) * 1000 AS o
       FROM contacts WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const legs: Record<string, number[]> = {
    'intake→inserted': [],
    'inserted→offer tx start': [],
    'offer tx start→socket': [],
  };
  for (const r of rows.rows) {
    const sent = sentAt.get(r.id)!;
    const got = t.offeredAt.get(r.id);
    legs['intake→inserted'].push(Number(r.q) - epoch(sent));
    if (r.o !== null && got !== undefined) {
      legs['inserted→offer tx start'].push(Number(r.o) - Number(r.q));
      legs['offer tx start→socket'].push(epoch(got) - Number(r.o));
    }
  }
  const p5095 = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return [percentile(s, 50), percentile(s, 95)] as [number, number];
  };
  return {
    legs: Object.fromEntries(Object.entries(legs).map(([k, xs]) => [k, p5095(xs)])),
    rate,
    sent: total,
    accepted: ids.length,
    completed,
    // completed contacts per second, from the first intake request to the last outcome
    throughput: completed / Math.max(sendSeconds, lastDone),
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    p99: percentile(lat, 99),
    max: lat.length ? lat[lat.length - 1] : NaN,
    offers: lat.length,
    loopLagP99: lag.percentile(99) / 1e6,
    cpu: cpuUse,
    pgWaits,
    samples: ids.map((id) => [(sentAt.get(id)! - t0) / 1000, (t.offeredAt.get(id) ?? NaN) - sentAt.get(id)!]),
    errors: [...intakeErrors, ...t.errors.slice(errorsBefore)],
  };
}

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '—');

function printStep(r: StepResult): void {
  console.log(
    `  sent ${r.sent} (accepted by intake ${r.accepted}), completed ${r.completed} (${fmt((100 * r.completed) / r.sent)} %), ` +
      `throughput ${fmt(r.throughput)} contacts/s`,
  );
  console.log(
    `  intake→offer latency ms: p50 ${fmt(r.p50)}  p95 ${fmt(r.p95)}  p99 ${fmt(r.p99)}  max ${fmt(r.max)}  (n=${r.offers}; ` +
      `bench event-loop lag p99 ${fmt(r.loopLagP99)} ms)`,
  );
  console.log(
    `  CPU while sending, % of one core (${cpus().length} cores = ${cpus().length * 100} %): ${cpuLine(r.cpu)}`,
  );
  console.log(
    `  latency legs, p50/p95 ms: ${Object.entries(r.legs)
      .map(([k, [a, b]]) => `${k} ${fmt(a)}/${fmt(b)}`)
      .join(', ')}`,
  );
  const waits = r.pgWaits.filter(([, n]) => n >= 0.05).slice(0, 6);
  if (waits.length)
    console.log(`  kapok_bench backends, average count: ${waits.map(([k, n]) => `${fmt(n, 2)} ${k}`).join('; ')}`);
  if (r.errors.length) console.log(`  errors (${r.errors.length}): ${r.errors.slice(0, 5).join(' | ')}`);
}

const cpuLine = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${fmt(v, 0)}`)
    .join(', ');

async function main(): Promise<void> {
  const o = readOptions(process.argv.slice(2));
  for (const app of ['gateway', 'router']) {
    if (!existsSync(entry(app)))
      throw new Error(`${entry(app)} is missing: run \`npm run build\` first (npm run bench does)`);
  }
  const server = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = `${server}/kapok_bench`;
  const prefix = `kapok-bench-${randomUUID().slice(0, 8)}`;

  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS kapok_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE kapok_bench');
  await admin.end();

  const procs: Proc[] = [];
  const sockets: BenchOperator[] = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    sockets.forEach((s) => s.socket?.disconnect());
    await Promise.all(procs.map((p) => p.stop()));
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  process.once('exit', () => procs.forEach((p) => p.running && p.child.kill('SIGKILL')));

  try {
    const env = {
      // development: production would demand every secret the product knows about; nothing here depends on it
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      ...generateSecrets(), // no built-in keys: random ones for this run
      OFFER_TIMEOUT_SECONDS: '30',
      DEMO: 'false',
    };
    const basePort = 3900 + Math.floor(Math.random() * 500);
    const gateways: string[] = [];
    for (let g = 0; g < o.gateways; g++) {
      procs.push(new Proc(`gateway-${g + 1}`, 'gateway', { ...env, PORT: String(basePort + g) }));
      gateways.push(`http://127.0.0.1:${basePort + g}`);
    }
    for (let r = 0; r < o.routers; r++) procs.push(new Proc(`router-${r + 1}`, 'router', { ...env, PORT: '0' }));
    await waitUp(gateways, procs, redisUrl, prefix, o.routers);

    // Seed: city → district → station with one hotline, N operators, one intake key.
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const password = 'bench-password-1';
    const passwordHash = await hash(password);
    const unit = async (name: string, level: string, parent?: { id: string; path: string }) => {
      const id = randomUUID();
      const path = `${parent?.path ?? '/'}${id}/`;
      await db.query('INSERT INTO org_units (id, name, level, parent_id, path) VALUES ($1, $2, $3, $4, $5)', [
        id,
        name,
        level,
        parent?.id ?? null,
        path,
      ]);
      return { id, path };
    };
    const city = await unit('压测市', 'city');
    const district = await unit('压测区', 'district', city);
    const station = await unit('压测社工站', 'station', district);
    const hotline = 'BENCH-0001';
    await db.query('INSERT INTO hotlines (number, name, station_id) VALUES ($1, $2, $3)', [
      hotline,
      '压测热线',
      station.id,
    ]);
    const users = await db.query<{ username: string }>(
      `INSERT INTO users (username, display_name, password_hash, role, org_unit_id)
       SELECT 'bench-op-' || g, '压测话务员 ' || g, $1, 'operator', $2 FROM generate_series(1, $3) g RETURNING username`,
      [passwordHash, station.id, o.operators],
    );
    const intakeKey = `bench-${randomBytes(16).toString('hex')}`;
    await db.query('INSERT INTO intake_keys (name, key_hash) VALUES ($1, $2)', [
      'bench',
      createHash('sha256').update(intakeKey, 'utf8').digest('hex'),
    ]);

    const tokens = await pool(users.rows, 8, async (u, i) => {
      const res = await api(gateways[i % gateways.length], 'POST', '/auth/login', {
        body: { username: u.username, password },
      });
      if (res.status !== 200) throw new Error(`login ${u.username}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    });
    const t: Tracking = { offeredAt: new Map(), completed: new Map(), errors: [] };
    for (let i = 0; i < tokens.length; i++) {
      sockets.push(new BenchOperator(gateways[i % gateways.length], tokens[i], gateways, intakeKey, o.handleMs, t));
    }
    await pool(sockets, 20, (s) => s.connect());
    const ready = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM agent_states WHERE station_id = $1 AND presence = 'available'`,
      [station.id],
    );

    const cpu: CpuGroups = {};
    for (const p of procs) cpu[p.name] = () => [p.pid];
    cpu.postgres = () => postgresPids('kapok_bench');
    cpu.redis = () => pidsNamed('redis-server');
    cpu.bench = () => [process.pid];

    console.log(
      `Kapok routing bench: ${o.operators} operators (${ready.rows[0].n} available), handle ${o.handleMs} ms, ` +
        `${o.gateways} gateway + ${o.routers} router process(es), ${cpus().length} CPUs, node ${process.version}`,
    );
    const stepEnv = { gateways, intakeKey, hotline, t, cpu, pg: db };
    const dumps: StepResult[] = [];
    // What else this machine is doing (the bench shares it with whatever runs beside it).
    const idle = new CpuWindow({});
    await sleep(2000);
    console.log(`CPU of the machine before the run (2 s, bench idle), % of one core: ${cpuLine(idle.finish())}`);
    // Warm-up (not reported): JIT, connection pools, prepared plans.
    const warm = await runStep(Math.min(o.rate, 20), 3, stepEnv);
    if (warm.completed < warm.accepted || warm.errors.length) {
      throw new Error(
        `warm-up failed: ${warm.completed}/${warm.accepted} completed; ${warm.errors.slice(0, 3).join(' | ')}`,
      );
    }
    if (!o.findMax) {
      console.log(`\n${o.rate} contacts/s for ${o.duration} s`);
      const r = await runStep(o.rate, o.duration, stepEnv);
      printStep(r);
      dumps.push(r);
    } else {
      const results: StepResult[] = [];
      for (let rate = o.rate; ; rate *= 2) {
        console.log(`\nstep: ${rate} contacts/s for ${o.duration} s`);
        const r = await runStep(rate, o.duration, stepEnv);
        printStep(r);
        results.push(r);
        dumps.push(r);
        const dead = procs.filter((p) => !p.running);
        if (dead.length) {
          console.log(`  ${dead.map((p) => p.name).join(', ')} exited`);
          break;
        }
        if (r.p99 > 100 || !(r.completed >= 0.95 * r.sent)) break;
        if (r.completed < r.accepted) break; // not drained: the next step would start with a backlog
        if (rate >= 5120) break;
        await sleep(1000);
      }
      printTable(results);
    }
    if (o.dump) {
      writeFileSync(
        o.dump,
        [
          'rate,sent_s,latency_ms',
          ...dumps.flatMap((r) => r.samples.map(([at, ms]) => `${r.rate},${at.toFixed(3)},${ms.toFixed(1)}`)),
        ].join('\n') + '\n',
      );
      console.log(`latencies written to ${o.dump}`);
    }
    await db.end();
    const logs = procs.filter((p) => p.log).map((p) => `--- ${p.name}\n${p.log.slice(-3000)}`);
    if (logs.length) console.log(`\nprocess output (last lines):\n${logs.join('\n')}`);
  } finally {
    await cleanup();
  }
}

function printTable(rs: StepResult[]): void {
  const cpuKeys = Object.keys(rs[0]?.cpu ?? {});
  const head = [
    'rate/s',
    'sent',
    'completed',
    'thru/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    ...cpuKeys.map((k) => `${k} %`),
  ];
  const rows = rs.map((r) => [
    fmt(r.rate, 0),
    String(r.sent),
    `${r.completed} (${fmt((100 * r.completed) / r.sent, 0)}%)`,
    fmt(r.throughput),
    fmt(r.p50),
    fmt(r.p95),
    fmt(r.p99),
    fmt(r.max),
    ...cpuKeys.map((k) => fmt(r.cpu[k], 0)),
  ]);
  const ok = rs.filter((r) => r.p99 <= 100 && r.completed >= 0.95 * r.sent);
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => ' ---: ').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(
    ok.length
      ? `\nhighest step within p99 ≤ 100 ms and ≥ 95 % completed: ${fmt(ok[ok.length - 1].rate, 0)} contacts/s`
      : '\nno step met p99 ≤ 100 ms and ≥ 95 % completed',
  );
}

/** Gateways answer /api/health and the routers' BullMQ workers are registered in Redis. */
async function waitUp(
  gateways: string[],
  procs: Proc[],
  redisUrl: string,
  prefix: string,
  routers: number,
): Promise<void> {
  const u = new URL(redisUrl);
  const queue = new Queue('routing', {
    connection: { host: u.hostname, port: Number(u.port || 6379), db: Number(u.pathname.slice(1) || 0) },
    prefix: `${prefix}:bull`,
  });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const dead = procs.filter((p) => !p.running);
      if (dead.length) throw new Error(`${dead.map((p) => `${p.name}: ${p.log}`).join('\n')}\nexited during start-up`);
      const ok = await Promise.all(
        gateways.map((g) =>
          fetch(`${g}/api/health`).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      );
      const workers = await queue.getWorkersCount().catch(() => 0);
      if (ok.every(Boolean) && workers >= routers) return;
      if (Date.now() > deadline)
        throw new Error(`not up in 60 s (gateways healthy: ${ok}, router workers: ${workers})`);
      await sleep(200);
    }
  } finally {
    await queue.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
