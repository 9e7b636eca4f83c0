import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { AuthModule } from '../../libs/auth/src';
import { KapokConfigModule } from '../../libs/config/src';
import { DatabaseModule, Db } from '../../libs/database/src';
import { OrgModule } from '../../libs/org/src';
import { PASSWORD, TestStation, createStation, redisPrefix } from '../support/fixtures';
import {
  ApiAnswer,
  ReconnectingOperator,
  api,
  apiRetrying,
  retryStats,
  startBalancer,
} from '../support/process-clients';
import { Proc, checkBuilt, freePort, processLogs, removeRedisKeys, waitUp } from '../support/processes';

/**
 * A rolling restart under load, as an orchestrator does it: two gateways and two routers (dist processes), six
 * operators whose consoles reach the gateways through a balancer and reconnect by themselves, and phone contacts
 * arriving all the time through both gateways (sent again on 503 or a refused connection, as a telephony gateway
 * does). Each process in turn gets SIGTERM, must exit by itself, and is started again. Afterwards, from Postgres:
 * every contact sent was created once and completed once, by one operator, with one accepted offer; no operator
 * held two calls at once; and contacts were completed after every restart.
 */

const OPERATORS = 6;
const INTAKE_EVERY_MS = 300;
const DONE_TIMEOUT_MS = 120_000;

@Module({ imports: [KapokConfigModule, DatabaseModule, AuthModule, OrgModule] })
class FixturesModule {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rolling restart of 2 gateways and 2 routers under load', () => {
  const prefix = `${redisPrefix()}-rr`;
  const procs: Proc[] = [];
  const operators: ReconnectingOperator[] = [];
  let ctx: INestApplicationContext | undefined;
  let db: Db;
  let st: TestStation;
  let balancer: Awaited<ReturnType<typeof startBalancer>> | undefined;
  let env: Record<string, string | undefined>;
  let ports: number[] = [];
  let gateways: string[] = [];
  let failed = false;
  const everyProc: Proc[] = []; // with the ones restarted, for the logs
  const killAll = () => everyProc.forEach((p) => p.running && p.child.kill('SIGKILL'));

  const start = (name: string, app: 'gateway' | 'router', extra: Record<string, string>) => {
    const p = new Proc(name, app, { ...env, ...extra });
    everyProc.push(p);
    return p;
  };

  beforeAll(async () => {
    checkBuilt();
    process.once('exit', killAll);
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_PREFIX: prefix,
      OFFER_TIMEOUT_SECONDS: '10',
      RECONCILE_INTERVAL_SECONDS: '5',
      RECONNECT_GRACE_SECONDS: '120',
      ROUTER_JOB_LOCK_SECONDS: '4',
      DEMO: 'false',
    };
    ports = [await freePort(), await freePort()];
    gateways = ports.map((p) => `http://127.0.0.1:${p}`);
    ports.forEach((port, i) => procs.push(start(`gateway-${i + 1}`, 'gateway', { PORT: String(port) })));
    // (routers at LOG_LEVEL=log: their shutdown lines are shown if the test fails)
    for (let i = 0; i < 2; i++) procs.push(start(`router-${i + 1}`, 'router', { PORT: '0', LOG_LEVEL: 'log' }));

    Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'warn', REDIS_PREFIX: prefix });
    ctx = await NestFactory.createApplicationContext(FixturesModule, { logger: ['error', 'warn'] });
    db = ctx.get(Db);
    st = await createStation(ctx, OPERATORS);
    await waitUp(gateways, procs, prefix);
    balancer = await startBalancer(ports);

    for (const [i, op] of st.operators.entries()) {
      const res = await api(gateways[i % 2], 'POST', '/auth/login', {
        body: { username: op.username, password: PASSWORD },
      });
      if (res.status !== 200) throw new Error(`login ${op.username}: ${res.status} ${JSON.stringify(res.body)}`);
      operators.push(new ReconnectingOperator(op.username, balancer.url, res.body.accessToken, gateways, st.intakeKey));
    }
    await Promise.all(operators.map((o) => o.connect())); // the balancer spreads them over both gateways
  }, 90_000);

  afterAll(async () => {
    operators.forEach((o) => o.close());
    await Promise.all(procs.map((p) => p.stop()));
    await balancer?.close();
    if (failed) console.log(`what the processes printed:\n${processLogs(everyProc)}`);
    process.removeListener('exit', killAll);
    await ctx?.close();
    await removeRedisKeys(prefix);
  }, 60_000);

  it('loses no contact and assigns none twice while each process is restarted in turn', async () => {
    failed = true;
    const tag = randomUUID().slice(0, 8);
    const callerBase = `137${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
    const sent: Promise<ApiAnswer>[] = [];
    let sending = true;
    const intake = (async () => {
      for (let i = 0; sending; i++) {
        sent.push(
          apiRetrying(gateways, i, 'POST', '/contacts', {
            key: st.intakeKey,
            body: {
              hotlineNumber: st.hotlineNumber,
              channel: 'phone',
              externalId: `rr-${tag}-${i}`,
              callerNumber: `${callerBase}${String(i).padStart(4, '0')}`,
            },
          }),
        );
        await sleep(INTAKE_EVERY_MS);
      }
    })();

    const restarts: { name: string; at: number; exit: Awaited<ReturnType<Proc['terminate']>> }[] = [];
    await sleep(3000);
    for (const index of [0, 2, 1, 3]) {
      // gateway-1, router-1, gateway-2, router-2
      const old = procs[index];
      const exit = await old.terminate(30_000);
      restarts.push({ name: old.name, at: Date.now(), exit });
      procs[index] =
        old.app === 'gateway'
          ? start(old.name, 'gateway', { PORT: String(ports[index]) })
          : start(old.name, 'router', { PORT: '0', LOG_LEVEL: 'log' });
      await waitUp(gateways, procs, prefix);
      await sleep(4000); // work goes on with the restarted process before the next one stops
    }
    sending = false;
    await intake;
    const answers = await Promise.all(sent);
    const sentCount = answers.length;

    // Every intake was taken in the end (201, or 200: the same externalId again after a lost answer).
    expect(
      answers.filter((a) => a.status !== 201 && a.status !== 200).map((a) => `${a.status} ${JSON.stringify(a.body)}`),
    ).toEqual([]);
    const ids = new Set(answers.map((a) => a.body.id as string));
    expect(ids.size).toBe(sentCount);

    // Every contact completed (the database is the truth), bounded.
    const deadline = Date.now() + DONE_TIMEOUT_MS;
    let counts: Record<string, number>;
    for (;;) {
      const rows = await db.rows<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM contacts WHERE station_id = $1 GROUP BY status',
        [st.stationId],
      );
      counts = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      if (counts.completed === sentCount) break;
      if (Date.now() > deadline) {
        throw new Error(
          `not all ${sentCount} contacts completed: ${JSON.stringify(counts)}; ` +
            `operator problems: ${JSON.stringify(operators.flatMap((o) => o.problems))}`,
        );
      }
      await sleep(500);
    }
    await Promise.all(operators.map((o) => o.settle()));
    console.log(
      `rolling restart: ${sentCount} contacts; intake answered 503 ${retryStats.unavailable}x, refused ` +
        `${retryStats.refused}x (sent again); exits ${JSON.stringify(restarts.map((r) => [r.name, r.exit]))}; ` +
        `socket connects per operator ${operators.map((o) => o.connects).join(',')}`,
    );

    // Each process stopped by itself on SIGTERM (drained), none had to be killed.
    expect(restarts.filter((r) => r.exit.killed)).toEqual([]);
    expect(operators.flatMap((o) => o.problems.map((p) => `${o.username}: ${p}`))).toEqual([]);

    // The database's side: one contact per externalId, each with exactly one accepted offer by the operator who
    // holds it and one outcome; no operator held two calls at once.
    expect(counts).toEqual({ completed: sentCount });
    const dup = await db.rows(
      `SELECT external_id, count(*)::int AS n FROM contacts WHERE station_id = $1 GROUP BY external_id HAVING count(*) > 1`,
      [st.stationId],
    );
    expect(dup).toEqual([]);
    const perContact = await db.rows<{ id: string; accepted: number; worker_ok: boolean; outcomes: number }>(
      `SELECT c.id,
              (SELECT count(*)::int FROM offers o WHERE o.contact_id = c.id AND o.status = 'accepted') AS accepted,
              EXISTS (SELECT 1 FROM offers o WHERE o.contact_id = c.id AND o.status = 'accepted'
                        AND o.worker_id = c.assigned_worker_id) AS worker_ok,
              (SELECT count(*)::int FROM outcomes x WHERE x.contact_id = c.id) AS outcomes
         FROM contacts c WHERE c.station_id = $1`,
      [st.stationId],
    );
    expect(perContact).toHaveLength(sentCount);
    expect(perContact.filter((c) => c.accepted !== 1 || !c.worker_ok || c.outcomes !== 1)).toEqual([]);
    const overlaps = await db.rows(
      `SELECT a.id AS a, b.id AS b FROM contacts a JOIN contacts b
           ON b.assigned_worker_id = a.assigned_worker_id AND a.id < b.id
        WHERE a.station_id = $1 AND b.station_id = $1
          AND tstzrange(a.answered_at, a.completed_at, '[]') && tstzrange(b.answered_at, b.completed_at, '[]')`,
      [st.stationId],
    );
    expect(overlaps).toEqual([]);
    const open = await db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM offers o JOIN contacts c ON c.id = o.contact_id
        WHERE c.station_id = $1 AND o.status = 'open'`,
      [st.stationId],
    );
    expect(open!.n).toBe(0);

    // Operators completed contacts throughout: after each restart, before the next one (or the end).
    const completions = operators.flatMap((o) => o.handled.map((h) => h.at));
    restarts.forEach((r, i) => {
      const until = restarts[i + 1]?.at ?? Infinity;
      expect({ after: r.name, completed: completions.filter((t) => t > r.at && t <= until).length > 0 }).toEqual({
        after: r.name,
        completed: true,
      });
    });
    expect(procs.filter((p) => !p.running).map((p) => p.name)).toEqual([]);
    failed = false;
  }, 300_000);
});
