/**
 * Routing benchmark: real gateway and router processes (from dist/) on a fresh `kapok_bench` database with the demo
 * data (the Guangzhou tree: 176 stations, 236 lines), N operators created through the accounts bulk import
 * (`POST /api/admin/users/import`) spread over every station, signed in and on socket.io, and a steady stream of
 * contacts through `POST /api/contacts` on all 236 lines. In the same run, the same steps against the minimal durable
 * loop (bench/minimal-loop.ts: HTTP intake → Postgres insert → BullMQ job → worker → conditional UPDATE → socket.io
 * emit; own database `kapok_bench_min`, same Postgres, Redis and socket.io client), printed beside Kapok.
 *
 *   npm run bench -- [--operators 1000] [--rate 50] [--duration 20] [--handle-ms 50]
 *                    [--matrix] [--find-max] [--skip-minimal] [--gateways 1] [--routers 1] [--dump latencies.csv]
 *                    [--dist dist]
 *
 * --operators and --rate take comma-separated lists (every operator count × every rate, operator counts in increasing
 * order: more operators are imported and connected between them); --matrix is operators 100,1000,2000,5000 × rates
 * 10,20,50,100,200 (about half an hour). --find-max: for each operator count, rates from the first --rate doubling
 * until Kapok's p99 > 100 ms or fewer than 95 % complete.
 * Each operator accepts every offer, "talks" for --handle-ms, then the contact is ended (intake key) and its outcome
 * recorded (the operator's token): the full lifecycle; the minimal loop's operator accepts and completes. Reported:
 * contacts sent and completed, completed/s, the latency from just before the intake request to the moment the
 * operator's socket receives the offer, CPU of every process involved (from /proc, Linux) and the Postgres CPU per
 * completed contact (the backends of the system's own database, from the first intake to the last completion).
 * --dist runs another build of the apps (a copy of dist/ whose parent directory resolves node_modules).
 * --dump writes every contact's send time and intake→offer latency as CSV.
 *
 * Environment: BENCH_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), REDIS_URL (default
 * redis://127.0.0.1:6379). Only loopback servers are used; every process it starts is stopped before it exits.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { generateSecrets } from '../libs/config/src';

// ---------------------------------------------------------------------------------------------- options

interface Options {
  operators: number[];
  rates: number[];
  duration: number;
  handleMs: number;
  findMax: boolean;
  gateways: number;
  routers: number;
  minimal: boolean;
  dump?: string;
}

/** --matrix: every operator count × every rate (a long run: about 25 min with the default 20 s steps). */
const MATRIX = { operators: [100, 1000, 2000, 5000], rates: [10, 20, 50, 100, 200] };

function readOptions(args: string[]): Options {
  const { values: v } = parseArgs({
    args,
    options: {
      operators: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '50' },
      duration: { type: 'string', default: '20' },
      'handle-ms': { type: 'string', default: '50' },
      gateways: { type: 'string', default: '1' },
      routers: { type: 'string', default: '1' },
      'find-max': { type: 'boolean', default: false },
      matrix: { type: 'boolean', default: false },
      'skip-minimal': { type: 'boolean', default: false },
      dump: { type: 'string' },
      dist: { type: 'string' },
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
  const list = (flag: 'operators' | 'rate', min: number) => {
    const xs = String(v[flag])
      .split(',')
      .map((x) => Number(x.trim()));
    if (!xs.length || xs.some((n) => !Number.isFinite(n) || n < min))
      throw new Error(`--${flag} needs numbers ≥ ${min}, comma-separated`);
    return xs;
  };
  if (v.dist) DIST = resolve(v.dist);
  const operators = v.matrix ? MATRIX.operators : list('operators', 1).map(Math.floor);
  return {
    operators: [...new Set(operators)].sort((a, b) => a - b),
    rates: v.matrix ? MATRIX.rates : list('rate', 0.1),
    duration: num('duration', 1),
    handleMs: num('handle-ms', 0),
    findMax: v['find-max'],
    gateways: Math.floor(num('gateways', 1)),
    routers: Math.floor(num('routers', 1)),
    minimal: !v['skip-minimal'],
    dump: v.dump,
  };
}

// ---------------------------------------------------------------------------------------------- processes

const ROOT = resolve(__dirname, '..');
/** The built apps: dist/, or another build (--dist, e.g. a copy of the previous commit's, for a before/after run). */
let DIST = join(ROOT, 'dist');
const entry = (app: string) => join(DIST, 'apps', app, 'apps', app, 'src/main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Proc {
  readonly child: ChildProcess;
  private out = '';
  constructor(
    readonly name: string,
    args: string[],
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, args, {
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

/** The backends connected to `database` only (what its statements cost, without the shared writers). */
function postgresBackends(database: string): number[] {
  return pidsNamed('postgres').filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(` ${database} `);
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

const newTracking = (): Tracking => ({ offeredAt: new Map(), completed: new Map(), errors: [] });

interface BenchClient {
  socket?: Socket;
  connect(): Promise<void>;
}

/** A Kapok operator: accepts every offer, "talks" for handleMs, then the contact is ended and its outcome recorded. */
class KapokOperator implements BenchClient {
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

/** An operator of the minimal loop: accepts every offer (socket ack), "talks" for handleMs, completes (HTTP). */
class MinimalOperator implements BenchClient {
  socket!: Socket;
  constructor(
    private readonly url: string,
    private readonly id: number,
    private readonly handleMs: number,
    private readonly t: Tracking,
  ) {}

  async connect(): Promise<void> {
    this.socket = io(`${this.url}/agent`, {
      auth: { operator: this.id },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.socket.on('offer', (offer: { id: string }) => {
      if (!this.t.offeredAt.has(offer.id)) this.t.offeredAt.set(offer.id, performance.now());
      void this.handle(offer.id);
    });
    const ack = await this.socket.timeout(15_000).emitWithAck('available', {});
    if (!ack?.ok) throw new Error(`available: ${JSON.stringify(ack)}`);
  }

  private async handle(id: string): Promise<void> {
    try {
      const ack = await this.socket.timeout(15_000).emitWithAck('accept', { id });
      if (!ack?.ok) throw new Error(`accept ${id}: ${JSON.stringify(ack)}`);
      await sleep(this.handleMs);
      const res = await fetch(`${this.url}/contacts/${id}/complete`, { method: 'POST' });
      if (res.status !== 200) throw new Error(`complete ${id}: ${res.status} ${await res.text()}`);
      this.t.completed.set(id, performance.now());
    } catch (err) {
      this.t.errors.push((err as Error).message);
    }
  }
}

interface StepResult {
  system: string;
  operators: number;
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
  /** Postgres backends' CPU (this system's database only) from the first intake to the last completion, per completed contact. */
  pgMsPerCompleted: number;
  errors: string[];
  samples: [number, number][]; // [sent at, s from the step's start; latency ms]
  pgWaits: [string, number][]; // what the database's busy backends were doing, share of samples
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

/** One system under test: how to send contact n, where its rows are, what its processes are. */
interface Target {
  name: string;
  /** Sends contact n; answers its id, or throws. */
  intake(n: number): Promise<string>;
  t: Tracking;
  cpu: CpuGroups;
  /** The Postgres backends of this system's database (for the CPU per completed contact). */
  pgBackends: () => number[];
  pg: Client;
  /** SQL answering (id, q, o): queued and offered times in ms since the epoch, for the latency legs. */
  legsSql: string;
}

/**
 * Waits until a database's backends are all idle for 2 s (at most maxMs): a step that left work behind does not run
 * beside the next one. Answers how long it waited.
 */
async function settle(db: Client, maxMs: number): Promise<number> {
  const t0 = performance.now();
  let idleSince = t0;
  while (performance.now() - t0 < maxMs) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
    );
    if (rows[0].n > 0) idleSince = performance.now();
    else if (performance.now() - idleSince >= 2000) break;
    await sleep(200);
  }
  return performance.now() - t0;
}

async function runStep(target: Target, operators: number, rate: number, seconds: number): Promise<StepResult> {
  const { t } = target;
  const sentAt = new Map<string, number>();
  const errorsBefore = t.errors.length;
  const total = Math.round(rate * seconds);
  const ids: string[] = [];
  const intakeErrors: string[] = [];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu = new CpuWindow(target.cpu);
  const pgAll = new CpuWindow({ backends: target.pgBackends });
  const pgSampler = new PgSampler(target.pg);
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
        target.intake(n).then(
          (id) => {
            sentAt.set(id, start);
            ids.push(id);
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
  const pgSeconds = (performance.now() - t0) / 1000;
  const pgPct = pgAll.finish().backends;
  const lastDone = ids.reduce((m, id) => Math.max(m, ((t.completed.get(id) ?? t0) - t0) / 1000), 0);

  const lat = ids
    .filter((id) => t.offeredAt.has(id))
    .map((id) => t.offeredAt.get(id)! - sentAt.get(id)!)
    .sort((a, b) => a - b);
  const completed = done();

  // Where the time goes, from the database's timestamps (now() = the start of each row's transaction).
  const epoch = (t: number) => performance.timeOrigin + t;
  const rows = await target.pg.query<{ id: string; q: number; o: number | null }>(target.legsSql, [ids]);
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
    system: target.name,
    operators,
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
    pgMsPerCompleted: completed ? (pgPct * 10 * pgSeconds) / completed : NaN,
    pgWaits,
    samples: ids.map((id) => [(sentAt.get(id)! - t0) / 1000, (t.offeredAt.get(id) ?? NaN) - sentAt.get(id)!]),
    errors: [...intakeErrors, ...t.errors.slice(errorsBefore)],
  };
}

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '—');

function printStep(r: StepResult): void {
  console.log(
    `  [${r.system}] sent ${r.sent} (accepted by intake ${r.accepted}), completed ${r.completed} ` +
      `(${fmt((100 * r.completed) / r.sent)} %), throughput ${fmt(r.throughput)} contacts/s`,
  );
  console.log(
    `  [${r.system}] intake→offer latency ms: p50 ${fmt(r.p50)}  p95 ${fmt(r.p95)}  p99 ${fmt(r.p99)}  max ${fmt(r.max)}` +
      `  (n=${r.offers}; bench event-loop lag p99 ${fmt(r.loopLagP99)} ms)`,
  );
  console.log(
    `  [${r.system}] CPU while sending, % of one core (${cpus().length} cores = ${cpus().length * 100} %): ` +
      `${cpuLine(r.cpu)}; Postgres backends per completed contact ${fmt(r.pgMsPerCompleted, 2)} ms`,
  );
  console.log(
    `  [${r.system}] latency legs, p50/p95 ms: ${Object.entries(r.legs)
      .map(([k, [a, b]]) => `${k} ${fmt(a)}/${fmt(b)}`)
      .join(', ')}`,
  );
  const waits = r.pgWaits.filter(([, n]) => n >= 0.05).slice(0, 6);
  if (waits.length)
    console.log(`  [${r.system}] backends, average count: ${waits.map(([k, n]) => `${fmt(n, 2)} ${k}`).join('; ')}`);
  if (r.errors.length) console.log(`  [${r.system}] errors (${r.errors.length}): ${r.errors.slice(0, 5).join(' | ')}`);
}

const cpuLine = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${fmt(v, 0)}`)
    .join(', ');

async function freshDatabase(server: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
}

const BENCH_PASSWORD = 'bench-drill-2026';

/**
 * Kapok's operators, created the way a centre would: the accounts bulk import (`POST /api/admin/users/import`, as
 * the demo administrator), spread over every station of the demo tree (176), then signed in over HTTP and connected.
 * Grows to `n` operators on duty (a matrix runs its operator counts in increasing order).
 */
async function addKapokOperators(
  n: number,
  k: { gateways: string[]; adminToken: string; stations: string[]; clients: KapokOperator[]; handleMs: number },
  intakeKey: string,
  t: Tracking,
): Promise<void> {
  const from = k.clients.length;
  if (n <= from) return;
  const lines = ['username,displayName,role,orgUnitCode,languages,skills'];
  for (let i = from; i < n; i++)
    lines.push(`bench-op-${i},压测话务员${i},operator,${k.stations[i % k.stations.length]},yue|cmn,`);
  for (let at = 1; at < lines.length; at += 5000) {
    const csv = [lines[0], ...lines.slice(at, at + 5000)].join('\r\n') + '\r\n';
    const res = await fetch(`${k.gateways[0]}/api/admin/users/import?password=${BENCH_PASSWORD}&mustChange=false`, {
      method: 'POST',
      headers: { authorization: `Bearer ${k.adminToken}`, 'content-type': 'text/csv; charset=utf-8' },
      body: csv,
    });
    if (res.status !== 201) throw new Error(`accounts import: ${res.status} ${await res.text()}`);
  }
  const names = Array.from({ length: n - from }, (_, i) => `bench-op-${from + i}`);
  const tokens = await pool(names, 8, async (username, i) => {
    const res = await api(k.gateways[i % k.gateways.length], 'POST', '/auth/login', {
      body: { username, password: BENCH_PASSWORD },
    });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.accessToken as string;
  });
  const added = tokens.map(
    (token, i) =>
      new KapokOperator(k.gateways[(from + i) % k.gateways.length], token, k.gateways, intakeKey, k.handleMs, t),
  );
  k.clients.push(...added);
  await pool(added, 20, (s) => s.connect());
}

async function main(): Promise<void> {
  const o = readOptions(process.argv.slice(2));
  for (const app of ['gateway', 'router']) {
    if (!existsSync(entry(app)))
      throw new Error(`${entry(app)} is missing: run \`npm run build\` first (npm run bench does)`);
  }
  const server = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = `${server}/kapok_bench`;
  const minimalUrl = `${server}/kapok_bench_min`;
  const prefix = `kapok-bench-${randomUUID().slice(0, 8)}`;
  await freshDatabase(server, 'kapok_bench');
  if (o.minimal) await freshDatabase(server, 'kapok_bench_min');

  const procs: Proc[] = [];
  const clients: BenchClient[] = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    clients.forEach((s) => s.socket?.disconnect());
    await Promise.all(procs.map((p) => p.stop()));
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
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
      // the demo data: the Guangzhou tree (176 stations), its 236 lines, the demo administrator and intake key
      DEMO: 'true',
    };
    const basePort = 3900 + Math.floor(Math.random() * 500);
    const gateways: string[] = [];
    for (let g = 0; g < o.gateways; g++) {
      procs.push(new Proc(`gateway-${g + 1}`, [entry('gateway')], { ...env, PORT: String(basePort + g) }));
      gateways.push(`http://127.0.0.1:${basePort + g}`);
    }
    for (let r = 0; r < o.routers; r++)
      procs.push(new Proc(`router-${r + 1}`, [entry('router')], { ...env, PORT: '0' }));
    const startedAt = performance.now();
    await waitUp(gateways, procs, redisUrl, prefix, o.routers);
    const upMs = performance.now() - startedAt;

    let minimal: Proc | undefined;
    let minimalBase = '';
    if (o.minimal) {
      const port = basePort + 600;
      minimal = new Proc('minimal', ['-r', '@swc-node/register', join(ROOT, 'bench/minimal-loop.ts')], {
        DATABASE_URL: minimalUrl,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: `${prefix}-min`,
        PORT: String(port),
      });
      minimalBase = `http://127.0.0.1:${port}`;
      const until = Date.now() + 60_000;
      while (!minimal.log.includes('minimal loop listening')) {
        if (!minimal.running || Date.now() > until) throw new Error(`minimal loop did not start: ${minimal.log}`);
        await sleep(100);
      }
    }

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const hotlines = (await db.query<{ number: string }>('SELECT number FROM hotlines ORDER BY number')).rows.map(
      (r) => r.number,
    );
    const stations = (await db.query<{ id: string }>(`SELECT id FROM org_units WHERE level = 'station' ORDER BY path`))
      .rows;
    const signIn = await api(gateways[0], 'POST', '/auth/login', {
      body: { username: 'demo-admin', password: 'hotline-demo' },
    });
    if (signIn.status !== 200) throw new Error(`demo-admin sign-in: ${signIn.status} ${JSON.stringify(signIn.body)}`);
    const intakeKey = 'demo-intake-key';

    const kt = newTracking();
    const kapokClients: KapokOperator[] = [];
    const k = {
      gateways,
      adminToken: signIn.body.accessToken as string,
      stations: stations.map((s) => s.id),
      clients: kapokClients,
      handleMs: o.handleMs,
    };
    const kcpu: CpuGroups = {};
    for (const p of procs) kcpu[p.name] = () => [p.pid];
    kcpu.postgres = () => postgresPids('kapok_bench');
    kcpu.redis = () => pidsNamed('redis-server');
    kcpu.bench = () => [process.pid];
    const kapok: Target = {
      name: 'kapok',
      t: kt,
      cpu: kcpu,
      pg: db,
      pgBackends: () => postgresBackends('kapok_bench'),
      legsSql: `SELECT id, extract(epoch FROM queued_at) * 1000 AS q, extract(epoch FROM offered_at) * 1000 AS o
                  FROM contacts WHERE id = ANY($1::uuid[])`,
      intake: async (n) => {
        const res = await api(gateways[n % gateways.length], 'POST', '/contacts', {
          key: intakeKey,
          body: { hotlineNumber: hotlines[n % hotlines.length], channel: 'phone', callerNumber: nextCaller() },
        });
        if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
        return res.body.id as string;
      },
    };

    let min: Target | undefined;
    const minClients: MinimalOperator[] = [];
    const mt = newTracking();
    let mdb: Client | undefined;
    if (minimal) {
      mdb = new Client({ connectionString: minimalUrl });
      await mdb.connect();
      const m = minimal;
      min = {
        name: 'minimal',
        t: mt,
        cpu: {
          minimal: () => [m.pid],
          postgres: () => postgresPids('kapok_bench_min'),
          redis: () => pidsNamed('redis-server'),
          bench: () => [process.pid],
        },
        pg: mdb,
        pgBackends: () => postgresBackends('kapok_bench_min'),
        legsSql: `SELECT id, extract(epoch FROM queued_at) * 1000 AS q, extract(epoch FROM offered_at) * 1000 AS o
                    FROM ml_contacts WHERE id = ANY($1::uuid[])`,
        intake: async (n) => {
          const res = await fetch(`${minimalBase}/contacts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ line: hotlines[n % hotlines.length], caller: nextCaller() }),
          });
          const body = (await res.json()) as { id: string };
          if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(body)}`);
          return body.id;
        },
      };
    }
    const addMinimalOperators = async (n: number) => {
      const added: MinimalOperator[] = [];
      for (let i = minClients.length; i < n; i++) added.push(new MinimalOperator(minimalBase, i + 1, o.handleMs, mt));
      minClients.push(...added);
      clients.push(...added);
      await pool(added, 20, (s) => s.connect());
    };

    console.log(
      `Kapok routing bench: the demo tree (${stations.length} stations, ${hotlines.length} lines), operators ` +
        `${o.operators.join(', ')}, rates ${o.rates.join(', ')}/s, ${o.duration} s each, handle ${o.handleMs} ms, ` +
        `${o.gateways} gateway + ${o.routers} router process(es)${min ? ', and the minimal loop' : ''}, ` +
        `${cpus().length} CPUs, node ${process.version}; processes up and ready in ${fmt(upMs / 1000)} s`,
    );
    const idle = new CpuWindow({});
    await sleep(2000);
    console.log(`CPU of the machine before the run (2 s, bench idle), % of one core: ${cpuLine(idle.finish())}`);

    const results: StepResult[] = [];
    let warmed = false;
    for (const operators of o.operators) {
      const t0 = performance.now();
      await addKapokOperators(operators, k, intakeKey, kt);
      clients.push(...kapokClients.filter((c) => !clients.includes(c)));
      if (min) await addMinimalOperators(operators);
      const onDuty = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM agent_states WHERE presence = 'available'`,
      );
      console.log(
        `\n${operators} operators: ${onDuty.rows[0].n} available in Kapok (imported, signed in and connected in ` +
          `${fmt((performance.now() - t0) / 1000)} s)`,
      );
      if (!warmed) {
        // Warm-up (not reported): JIT, connection pools, prepared plans.
        for (const target of min ? [kapok, min] : [kapok]) {
          const warm = await runStep(target, operators, Math.min(o.rates[0], 20), 3);
          if (warm.completed < warm.accepted || warm.errors.length)
            throw new Error(
              `${target.name} warm-up failed: ${warm.completed}/${warm.accepted} completed; ` +
                warm.errors.slice(0, 3).join(' | '),
            );
        }
        warmed = true;
      }
      const rates = o.findMax ? Array.from({ length: 9 }, (_, i) => o.rates[0] * 2 ** i) : o.rates;
      for (const rate of rates) {
        console.log(`\n${operators} operators, ${rate} contacts/s for ${o.duration} s`);
        const r = await runStep(kapok, operators, rate, o.duration);
        printStep(r);
        results.push(r);
        await sleep(1000);
        if (min) {
          // contacts Kapok has not finished keep its processes and backends busy: measure the minimal loop after
          const quiet = await settle(kapok.pg, 120_000);
          if (quiet > 3000)
            console.log(`  (Kapok's database was busy for ${((quiet - 2000) / 1000).toFixed(1)} s after the step)`);
          const m = await runStep(min, operators, rate, o.duration);
          printStep(m);
          results.push(m);
          await sleep(1000);
        }
        const dead = [...procs, ...(minimal ? [minimal] : [])].filter((p) => !p.running);
        if (dead.length) throw new Error(`${dead.map((p) => `${p.name}: ${p.log.slice(-2000)}`).join('\n')} exited`);
        if (o.findMax && (r.p99 > 100 || !(r.completed >= 0.95 * r.sent) || r.completed < r.accepted)) break;
      }
    }
    printTable(results);
    if (o.dump) {
      writeFileSync(
        o.dump,
        [
          'system,operators,rate,sent_s,latency_ms',
          ...results.flatMap((r) =>
            r.samples.map(([at, ms]) => `${r.system},${r.operators},${r.rate},${at.toFixed(3)},${ms.toFixed(1)}`),
          ),
        ].join('\n') + '\n',
      );
      console.log(`latencies written to ${o.dump}`);
    }
    await db.end();
    await mdb?.end();
    if (minimal) procs.push(minimal);
    const logs = procs.filter((p) => p.log).map((p) => `--- ${p.name}\n${p.log.slice(-3000)}`);
    if (logs.length) console.log(`\nprocess output (last lines):\n${logs.join('\n')}`);
  } finally {
    await cleanup();
  }
}

/** Kapok beside the minimal loop, one row per operator count and rate. */
function printTable(rs: StepResult[]): void {
  const head = [
    'operators',
    'rate/s',
    'Kapok p50 / p99 ms',
    'minimal p50 / p99 ms',
    'p50 ratio',
    'Kapok completed/s',
    'minimal completed/s',
    'Kapok completed',
    'Kapok PG ms/contact',
    'minimal PG ms/contact',
  ];
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => ' ---: ').join('|')}|`);
  for (const r of rs.filter((x) => x.system === 'kapok')) {
    const m = rs.find((x) => x.system === 'minimal' && x.operators === r.operators && x.rate === r.rate);
    console.log(
      `| ${[
        r.operators,
        fmt(r.rate, 0),
        `${fmt(r.p50)} / ${fmt(r.p99)}`,
        m ? `${fmt(m.p50)} / ${fmt(m.p99)}` : '—',
        m ? fmt(r.p50 / m.p50) : '—',
        fmt(r.throughput),
        m ? fmt(m.throughput) : '—',
        `${r.completed}/${r.sent}`,
        fmt(r.pgMsPerCompleted, 2),
        m ? fmt(m.pgMsPerCompleted, 2) : '—',
      ].join(' | ')} |`,
    );
  }
}

/** Gateways are ready (`/api/health/ready`: Postgres, Redis, and a router consuming the routing queue). */
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
  const deadline = Date.now() + 90_000;
  try {
    for (;;) {
      const dead = procs.filter((p) => !p.running);
      if (dead.length) throw new Error(`${dead.map((p) => `${p.name}: ${p.log}`).join('\n')}\nexited during start-up`);
      const ok = await Promise.all(
        gateways.map((g) =>
          fetch(`${g}/api/health/ready`).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      );
      const workers = await queue.getWorkersCount().catch(() => 0);
      if (ok.every(Boolean) && workers >= routers) return;
      if (Date.now() > deadline) throw new Error(`not up in 90 s (gateways ready: ${ok}, router workers: ${workers})`);
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
