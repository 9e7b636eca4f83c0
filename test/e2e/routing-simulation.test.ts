import { Client } from 'pg';
import { Db, runMigrations } from '../../libs/database/src';
import { SeedDemo } from '../../libs/demo/src';
import { SKILL_TOPICS } from '../../libs/routing/src';
import { MATCHABLE_NOW, watchLeftWaiting } from './routing-simulation.watcher';
import { DEFAULT_SIMULATION, SimulationResult, percentile, runSimulation } from '../../bench/simulation';
import { Stack, sleep, startStack } from '../support/stack';
import { routingQueue } from '../support/clock';
import { dutyBoardDrift } from '../support/duty-board';

/**
 * The routing simulation on the demo tree (176 stations): a few hundred operators with shifts and skills, a few
 * thousand contacts of mixed risk, language and channel, with declines, missed offers and callers who hang up.
 *
 * Beside it runs a watcher of this test's own (the benchmark's watcher asks the product's matching query, which
 * cannot catch a mistake in that query): plain SQL below derives from the rules of docs/routing.md which waiting
 * contact an on-duty operator may take right now. A pair that stays possible while the router has no job left to
 * run is a contact left waiting beside a free operator who may take it: matching is event-driven, and the safety-net
 * sweep runs only every 30 s here, so a lost trigger is seen (see routing-simulation.watcher.ts).
 *
 * The rate (8 a second; 20 a second is routed within 30 ms on a quiet machine, docs/benchmarks.md) leaves the router
 * room on a machine several times slower than a developer's: matching in one station waits for the matches above it, and at five times slower
 * 12 a second already builds a backlog (latency, not a fault) that the drain may not clear in time.
 */
const CONTACTS = 1200;

describe('routing simulation on the Guangzhou demo tree', () => {
  const server = process.env.DATABASE_URL!.replace(/\/[^/]+$/, '');
  const dbName = `kapok_test_${process.pid}_sim`;
  let stack: Stack;
  let result: SimulationResult;
  let watcher: ReturnType<typeof watchLeftWaiting>;
  const mainDb = process.env.DATABASE_URL!;

  beforeAll(async () => {
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    await runMigrations(`${server}/${dbName}`);
    stack = await startStack({
      DATABASE_URL: `${server}/${dbName}`,
      DB_POOL_SIZE: '20',
      OFFER_TIMEOUT_SECONDS: '2',
      OVERFLOW_DISTRICT_SECONDS: '1',
      OVERFLOW_REGION_SECONDS: '2',
      OVERFLOW_CITY_SECONDS: '3',
      SKILL_RELAX_SECONDS: '1.5',
      CONTINUITY_WINDOW_SECONDS: '1',
      CHAT_CAPACITY: '3',
      MISSED_OFFERS_TO_AWAY: '3',
      RECONCILE_INTERVAL_SECONDS: '30', // the safety net must not hide a missing trigger
    });
    await stack.app.get(SeedDemo).execute();
    watcher = watchLeftWaiting(stack.app.get(Db), routingQueue(stack.app), {
      district: 1,
      region: 2,
      city: 3,
      relax: 1.5,
      chatCapacity: 3,
    });
    try {
      result = await runSimulation(stack.app, stack.url, {
        ...DEFAULT_SIMULATION,
        operators: 300,
        contacts: CONTACTS,
        ratePerSecond: 8,
        drainTimeoutMs: 240_000,
      });
    } finally {
      await watcher.stop();
    }
  }, 600_000);

  afterAll(async () => {
    await sleep(200);
    await stack?.close();
    process.env.DATABASE_URL = mainDb;
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  });

  const db = () => stack.app.get(Db);
  const ids = () => result.contacts.map((c) => c.id);

  it('takes every contact, and every contact ends completed or abandoned', async () => {
    console.log(
      `simulation: ${result.contacts.length} contacts in ${(result.elapsedMs / 1000).toFixed(1)} s; ` +
        `first offer p50/p99 ms: critical ${percentile(result.latency.critical, 50)}/${percentile(result.latency.critical, 99)}, ` +
        `high ${percentile(result.latency.high, 50)}/${percentile(result.latency.high, 99)}, ` +
        `normal ${percentile(result.latency.normal, 50)}/${percentile(result.latency.normal, 99)}; ` +
        `overflowed ${result.overflowLatency.length}, p50 ${percentile(result.overflowLatency, 50)} ms; ` +
        `matching ${JSON.stringify(result.matching)}; violations ${result.violations.length}: ${result.violations.slice(0, 3).join(' | ')}`,
    );
    expect(result.violations.filter((v) => v.startsWith('not finished'))).toEqual([]);
    expect(result.contacts).toHaveLength(CONTACTS);
    // every contact was taken in (an intake other than 201 is recorded as a violation and leaves it out)
    expect(result.violations.filter((v) => v.startsWith('intake'))).toEqual([]);
    const left = await db().rows<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM contacts WHERE id = ANY($1::uuid[]) GROUP BY status`,
      [ids()],
    );
    expect(left.filter((r) => r.status !== 'completed' && r.status !== 'abandoned')).toEqual([]);
    expect(left.find((r) => r.status === 'completed')!.n).toBeGreaterThan(CONTACTS * 0.75); // 8 % hang up
  });

  it('never offers a contact to two operators at once, and never holds it twice', async () => {
    const overlaps = await db().rows(
      `SELECT a.contact_id FROM offers a JOIN offers b ON a.contact_id = b.contact_id AND a.id < b.id
        WHERE a.contact_id = ANY($1::uuid[])
          AND tstzrange(a.created_at, COALESCE(a.closed_at, 'infinity')) && tstzrange(b.created_at, COALESCE(b.closed_at, 'infinity'))
        LIMIT 5`,
      [ids()],
    );
    expect(overlaps).toEqual([]);
    const accepted = await db().rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM offers WHERE contact_id = ANY($1::uuid[]) AND status = 'accepted'
        GROUP BY contact_id HAVING count(*) > 1`,
      [ids()],
    );
    expect(accepted).toEqual([]);
    expect(result.violations.filter((v) => v.includes('while held'))).toEqual([]);
  });

  it('leaves the duty board equal to the tables it copies (sockets, load, station paths)', async () => {
    expect(await dutyBoardDrift(db())).toEqual([]);
  });

  it('never gives an operator a phone contact beside another, or more chats than their capacity', async () => {
    const phoneOverlaps = await db().rows(
      `SELECT p.id FROM contacts p JOIN contacts x ON x.assigned_worker_id = p.assigned_worker_id AND x.id <> p.id
        WHERE p.id = ANY($1::uuid[]) AND p.channel = 'phone' AND p.status = 'completed' AND x.status = 'completed'
          AND tstzrange(p.answered_at, p.completed_at) && tstzrange(x.answered_at, x.completed_at)
        LIMIT 5`,
      [ids()],
    );
    expect(phoneOverlaps).toEqual([]);
    const overCapacity = await db().rows(
      `SELECT c.id FROM contacts c
        WHERE c.id = ANY($1::uuid[]) AND c.channel <> 'phone' AND c.status = 'completed'
          AND (SELECT count(*) FROM contacts x WHERE x.assigned_worker_id = c.assigned_worker_id AND x.channel <> 'phone'
                 AND x.status = 'completed' AND x.answered_at <= c.answered_at AND x.completed_at > c.answered_at) > 3
        LIMIT 5`,
      [ids()],
    );
    expect(overCapacity).toEqual([]);
  });

  it('never leaves a contact waiting while an eligible operator is free (the rules of docs/routing.md, checked apart)', () => {
    expect(watcher.samples()).toBeGreaterThan(20);
    expect(watcher.idleSamples()).toBeGreaterThan(0); // it did look while the router had nothing to do
    expect(watcher.leftWaiting).toEqual([]);
  });

  it('the watcher is not blind: it sees a contact beside an operator who may take it, and only that one', async () => {
    // after the simulation nobody is connected; in a transaction that is rolled back (the router never sees it): one
    // operator on duty and two chats nobody routed, one in a language the operator does not speak (not yet relaxed)
    const seen = await db()
      .tx(async (tx) => {
        const op = (await db().one<{ user_id: string; station_id: string }>(
          `SELECT a.user_id, a.station_id FROM agent_states a JOIN users u ON u.id = a.user_id
            WHERE u.active AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.assigned_worker_id = a.user_id
                                            AND c.status IN ('offered', 'active', 'wrap_up'))
            LIMIT 1`,
          [],
          tx,
        ))!;
        expect(await db().one(`SELECT 1 FROM agent_sessions`, [], tx)).toBeUndefined();
        await db().run(`UPDATE agent_states SET presence = 'available' WHERE user_id = $1`, [op.user_id], tx);
        await db().run(
          `INSERT INTO agent_sessions (socket_id, user_id, gateway_id) VALUES ('watcher-check', $1, 'none')`,
          [op.user_id],
          tx,
        );
        const contact = (language: string | null) =>
          db().one<{ id: string }>(
            `INSERT INTO contacts (hotline_id, station_id, intake_key_id, channel, language)
             SELECT h.id, h.station_id, (SELECT id FROM intake_keys LIMIT 1), 'chat', $2 FROM hotlines h WHERE h.station_id = $1 LIMIT 1
             RETURNING id`,
            [op.station_id, language],
            tx,
          );
        const plain = (await contact(null))!.id;
        const foreign = (await contact('zz'))!.id;
        const rows = (
          await db().rows<{ contact_id: string; operator_id: string }>(
            MATCHABLE_NOW,
            [1, 2, 3, 1.5, 3, SKILL_TOPICS],
            tx,
          )
        ).filter((r) => r.contact_id === plain || r.contact_id === foreign);
        throw Object.assign(new Error('roll back'), {
          rows,
          expected: [{ contact_id: plain, operator_id: op.user_id }],
        });
      })
      .catch((err) => err as Error & { rows: unknown; expected: unknown });
    expect(seen.message).toBe('roll back');
    expect(seen.rows).toEqual(seen.expected);
  });

  it('records no failure on the callers’ and operators’ side: every intake, accept, end and outcome went through', () => {
    // everything the simulation recorded, but its own watcher (the product's matching query, 3 s): the watcher above
    // is the independent one, with a margin that holds on a busy machine
    const ownWatcher = (v: string) => v.endsWith('waited while an eligible operator was free');
    expect(result.violations.filter((v) => !ownWatcher(v))).toEqual([]);
  });

  it('serves critical contacts first: their first offers come no later than normal ones', () => {
    expect(result.latency.critical.length).toBeGreaterThan(20);
    // the same machine load hits both; the margin is for the noise of a median, scaled with the machine's speed
    const normal = percentile(result.latency.normal, 50);
    expect(percentile(result.latency.critical, 50)).toBeLessThanOrEqual(normal + Math.max(50, normal * 0.25));
  });
});
