/**
 * Conversations benchmark: real gateway and router processes (from dist/), a fresh `kapok_bench_conv` database,
 * C web-chat conversations at once, each with its caller on one gateway and its operator on the other, messages
 * flowing both ways; beside it, in the same run, a bare socket.io relay (one server, no database, no Redis) carrying
 * the same traffic: the floor that socket.io itself sets on this machine.
 *
 *   node -r @swc-node/register bench/conversations.ts [--conversations 300] [--messages 10] [--interval-ms 2000]
 *
 * Each conversation: the caller and the operator each send --messages messages, one every --interval-ms (the two
 * sides offset by half an interval; the conversations spread over the first interval). Reported for each side and
 * both systems: messages sent (acknowledged), delivered, lost, duplicated, out of order (a message whose seq is not
 * above the last one received on that side), and the delivery latency from just before `message:send` to the
 * `message` event on the other side (one process, one clock): p50, p99, max.
 *
 * Environment: BENCH_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), REDIS_URL (default
 * redis://127.0.0.1:6379). Every process it starts is stopped before it exits. Needs `npm run build`.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { hash } from '@node-rs/argon2';
import { Client } from 'pg';
import { Server } from 'socket.io';
import { io, Socket } from 'socket.io-client';
import { generateSecrets } from '../libs/config/src';
import { Proc, checkBuilt, freePort, removeRedisKeys, waitUp } from '../test/support/processes';

const { values: v } = parseArgs({
  options: {
    conversations: { type: 'string', default: '300' },
    messages: { type: 'string', default: '10' },
    'interval-ms': { type: 'string', default: '2000' },
  },
});
const C = Number(v.conversations);
const M = Number(v.messages);
const INTERVAL = Number(v['interval-ms']);
const OPERATORS = Math.ceil(C / 3); // the default chat capacity: 3 chats per operator

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

async function api(base: string, method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const connect = (url: string, auth: Record<string, unknown>) =>
  io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });

/** What one side of one conversation sent and received. */
class Side {
  sent = 0;
  refused: string[] = [];
  readonly sentAt = new Map<string, number>(); // text → performance.now() just before the send
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  lastSeq = 0;
  readonly seen = new Set<string>();
  readonly latencies: number[] = [];

  /** A message of the other side arrived. */
  got(text: string, seq: number, from: Side): void {
    const t0 = from.sentAt.get(text);
    if (t0 === undefined) return; // not a message of this run (a system message)
    if (this.seen.has(text)) {
      this.duplicates++;
      return;
    }
    this.seen.add(text);
    this.received++;
    if (seq <= this.lastSeq) this.outOfOrder++;
    this.lastSeq = seq;
    this.latencies.push(performance.now() - t0);
  }
}

interface Pair {
  caller: Side;
  operator: Side;
  send(side: 'caller' | 'operator', text: string): Promise<void>;
}

/** Runs the traffic over the pairs: each side sends M messages, one every INTERVAL ms. */
async function traffic(pairs: Pair[]): Promise<void> {
  const start = performance.now();
  await Promise.all(
    pairs.map(async (p, i) => {
      const offset = (i / pairs.length) * INTERVAL;
      const run = async (side: 'caller' | 'operator', shift: number) => {
        for (let k = 0; k < M; k++) {
          const due = start + offset + shift + k * INTERVAL;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          await p.send(side, `${i}:${side}:${k}:${randomUUID().slice(0, 8)}`);
        }
      };
      await Promise.all([run('caller', 0), run('operator', INTERVAL / 2)]);
    }),
  );
  // what is still in flight arrives within a few seconds or is lost
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    if (pairs.every((p) => p.caller.received === p.operator.sent && p.operator.received === p.caller.sent)) break;
    await sleep(100);
  }
}

function report(name: string, pairs: Pair[]): void {
  const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] : NaN);
  for (const dir of ['caller → operator', 'operator → caller'] as const) {
    const [from, to] =
      dir === 'caller → operator' ? (['caller', 'operator'] as const) : (['operator', 'caller'] as const);
    const sent = pairs.reduce((n, p) => n + p[from].sent, 0);
    const delivered = pairs.reduce((n, p) => n + p[to].received, 0);
    const dup = pairs.reduce((n, p) => n + p[to].duplicates, 0);
    const order = pairs.reduce((n, p) => n + p[to].outOfOrder, 0);
    const refused = pairs.flatMap((p) => p[from].refused);
    const lat = pairs.flatMap((p) => p[to].latencies).sort((a, b) => a - b);
    console.log(
      `${name.padEnd(22)} ${dir}: sent ${sent}, delivered ${delivered}, lost ${sent - delivered}, duplicated ${dup}, ` +
        `out of order ${order}${refused.length ? `, refused ${refused.length} (${refused[0]})` : ''}; ` +
        `latency p50 ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms, max ${(lat.at(-1) ?? NaN).toFixed(1)} ms`,
    );
  }
}

// ---------------------------------------------------------------------------------------------- baseline

/** A bare socket.io relay: the server passes each message to the other client of the pair (a room of one). */
async function baseline(): Promise<Pair[]> {
  const http = createServer();
  const server = new Server(http);
  let seq = 0;
  server.on('connection', (s) => {
    const { pair, side } = s.handshake.auth as { pair: number; side: string };
    void s.join(`${pair}:${side}`);
    s.on('m', (text: string, ack: (r: unknown) => void) => {
      const n = ++seq;
      server.to(`${pair}:${side === 'caller' ? 'operator' : 'caller'}`).emit('m', { text, seq: n });
      ack({ ok: true, seq: n });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const sockets: Socket[] = [];
  const pairs = await pool(
    Array.from({ length: C }, (_, i) => i),
    50,
    async (i) => {
      const p = { caller: new Side(), operator: new Side() } as Pair;
      const s = {
        caller: connect(url, { pair: i, side: 'caller' }),
        operator: connect(url, { pair: i, side: 'operator' }),
      };
      for (const side of ['caller', 'operator'] as const) {
        const other = side === 'caller' ? 'operator' : 'caller';
        s[side].on('m', (m: { text: string; seq: number }) => p[side].got(m.text, m.seq, p[other]));
        await new Promise<void>((r) => s[side].once('connect', () => r()));
        sockets.push(s[side]);
      }
      p.send = async (side, text) => {
        p[side].sentAt.set(text, performance.now());
        const ack = await s[side].timeout(15_000).emitWithAck('m', text);
        if (ack.ok) p[side].sent++;
      };
      return p;
    },
  );
  await traffic(pairs);
  sockets.forEach((s) => s.disconnect());
  await new Promise<void>((r) => void server.close(() => r()));
  return pairs;
}

// ---------------------------------------------------------------------------------------------- Kapok

async function kapok(): Promise<Pair[]> {
  const server = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = `${server}/kapok_bench_conv`;
  const prefix = `kapok-bench-${randomUUID().slice(0, 8)}`;
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS kapok_bench_conv WITH (FORCE)');
  await admin.query('CREATE DATABASE kapok_bench_conv');
  await admin.end();

  // (the test support's process helpers read these)
  Object.assign(process.env, { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl });
  checkBuilt();
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    ...generateSecrets(),
    OFFER_TIMEOUT_SECONDS: '60',
    CHAT_SESSIONS_PER_MINUTE: '100000',
    DEMO: 'false',
  };
  const procs: Proc[] = [];
  const sockets: Socket[] = [];
  process.once('exit', () => procs.forEach((p) => p.running && p.child.kill('SIGKILL')));
  try {
    const ports = [await freePort(), await freePort()];
    const gateways = ports.map((p) => `http://127.0.0.1:${p}`);
    ports.forEach((port, i) => procs.push(new Proc(`gateway-${i + 1}`, 'gateway', { ...env, PORT: String(port) })));
    procs.push(new Proc('router', 'router', { ...env, PORT: '0' }));
    await waitUp(gateways, procs, prefix);

    // Seed: city → district → station with one line and the operators.
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const password = 'bench-password-1';
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
    const station = await unit('压测社工站', 'station', await unit('压测区', 'district', await unit('压测市', 'city')));
    const hotline = 'BENCH-CHAT';
    await db.query('INSERT INTO hotlines (number, name, station_id) VALUES ($1, $2, $3)', [
      hotline,
      '网聊',
      station.id,
    ]);
    const users = await db.query<{ username: string }>(
      `INSERT INTO users (username, display_name, password_hash, role, org_unit_id)
       SELECT 'bench-op-' || g, '压测社工 ' || g, $1, 'operator', $2 FROM generate_series(1, $3) g RETURNING username`,
      [await hash(password), station.id, OPERATORS],
    );

    // Operators: on alternating gateways, accepting every offer; their conversations by contact id.
    const byContact = new Map<string, { pair?: Pair; socket: Socket; early: { text: string; seq: number }[] }>();
    await pool(users.rows, 8, async (u, i) => {
      const g = gateways[i % 2];
      const login = await api(g, 'POST', '/auth/login', { body: { username: u.username, password } });
      const s = connect(`${g}/agent`, { token: login.body.accessToken });
      sockets.push(s);
      s.on('contact:offer', (o: { offerId: string; contact: { id: string } }) => {
        byContact.set(o.contact.id, byContact.get(o.contact.id) ?? { socket: s, early: [] });
        void s.emitWithAck('offer:accept', { offerId: o.offerId });
      });
      s.on('message', (m: { contactId: string; from: string; text: string; seq: number }) => {
        if (m.from !== 'caller') return;
        const c = byContact.get(m.contactId);
        if (c?.pair) c.pair.operator.got(m.text, m.seq, c.pair.caller);
        else c?.early.push(m);
      });
      await new Promise((r) => s.once('agent:state', r));
      await s.emitWithAck('presence:set', { status: 'available' });
    });

    // Conversations: callers on alternating gateways (so about half talk to an operator on the other one).
    const pairs = await pool(
      Array.from({ length: C }, (_, i) => i),
      20,
      async (i) => {
        const g = gateways[(i + 1) % 2];
        const session = await api(g, 'POST', '/chat/sessions', { body: { hotlineNumber: hotline } });
        if (session.status !== 201) throw new Error(`session: ${session.status} ${JSON.stringify(session.body)}`);
        const caller = connect(`${g}/chat`, { resumeToken: session.body.resumeToken });
        sockets.push(caller);
        const p = { caller: new Side(), operator: new Side() } as Pair;
        caller.on('message', (m: { from: string; text: string; seq: number }) => {
          if (m.from === 'operator') p.caller.got(m.text, m.seq, p.operator);
        });
        await new Promise<void>((resolve) =>
          caller.on('conversation:state', (s: { status: string }) => s.status === 'talking' && resolve()),
        );
        const held = byContact.get(session.body.contactId)!;
        held.pair = p;
        p.send = async (side, text) => {
          p[side].sentAt.set(text, performance.now());
          const ack =
            side === 'caller'
              ? await caller.timeout(15_000).emitWithAck('message:send', { clientId: randomUUID(), text })
              : await held.socket
                  .timeout(15_000)
                  .emitWithAck('message:send', { contactId: session.body.contactId, clientId: randomUUID(), text });
          if (ack.ok) p[side].sent++;
          else p[side].refused.push(ack.error);
        };
        return p;
      },
    );
    console.log(`${C} conversations talking (${OPERATORS} operators, 2 gateways, 1 router)`);
    await traffic(pairs);
    const lost = procs.filter((p) => !p.running);
    if (lost.length) console.log(`exited during the run: ${lost.map((p) => `${p.name}: ${p.log}`).join('\n')}`);
    await db.end();
    return pairs;
  } finally {
    sockets.forEach((s) => s.disconnect());
    await Promise.all(procs.map((p) => p.stop()));
    await removeRedisKeys(prefix);
  }
}

async function main(): Promise<void> {
  console.log(
    `Conversations bench: ${C} conversations, ${M} messages each way each, one every ${INTERVAL} ms per side ` +
      `(${((2 * C * 1000) / INTERVAL).toFixed(0)} messages/s), node ${process.version}`,
  );
  const base = await baseline();
  report('bare socket.io relay', base);
  const k = await kapok();
  report('Kapok', k);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
