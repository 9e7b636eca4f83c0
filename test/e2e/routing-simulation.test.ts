import { Client } from 'pg';
import { Db, runMigrations } from '../../libs/database/src';
import { SeedDemo } from '../../libs/demo/src';
import { DEFAULT_SIMULATION, SimulationResult, percentile, runSimulation } from '../../bench/simulation';
import { Stack, sleep, startStack } from '../support/stack';

/**
 * The routing simulation on the demo tree (176 stations): a few hundred operators with shifts and skills, a few
 * thousand contacts of mixed risk, language and channel, with declines, missed offers and callers who hang up.
 */
describe('routing simulation on the Guangzhou demo tree', () => {
  const server = process.env.DATABASE_URL!.replace(/\/[^/]+$/, '');
  const dbName = `kapok_test_${process.pid}_sim`;
  let stack: Stack;
  let result: SimulationResult;
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
      MISSED_OFFERS_TO_AWAY: '3',
      RECONCILE_INTERVAL_SECONDS: '30', // the safety net must not hide a missing trigger
    });
    await stack.app.get(SeedDemo).execute();
    result = await runSimulation(stack.app, stack.url, { ...DEFAULT_SIMULATION, operators: 300, contacts: 2000, ratePerSecond: 12 });
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
    expect(result.contacts).toHaveLength(2000);
    const left = await db().rows<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM contacts WHERE id = ANY($1::uuid[]) GROUP BY status`,
      [ids()],
    );
    expect(left.filter((r) => r.status !== 'completed' && r.status !== 'abandoned')).toEqual([]);
    expect(left.find((r) => r.status === 'completed')!.n).toBeGreaterThan(1500);

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

  it('never leaves a contact waiting while an eligible operator is free', () => {
    expect(result.violations.filter((v) => v.includes('eligible operator'))).toEqual([]);
  });

  it('serves critical contacts first: their first offers come no later than normal ones', () => {
    expect(result.latency.critical.length).toBeGreaterThan(20);
    expect(percentile(result.latency.critical, 50)).toBeLessThanOrEqual(percentile(result.latency.normal, 50) + 50);
  });
});
