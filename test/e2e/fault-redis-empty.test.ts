import { ConnectionOptions, Queue } from 'bullmq';
import { Db } from '../../libs/database/src';
import { ROUTING_QUEUE, RoutingJob, redisOptions } from '../../libs/queue/src';
import { delayedJob, routerSettled, routingQueue } from '../support/clock';
import { TestTree, createTree } from '../support/fixtures';
import { OwnRedis, startOwnRedis } from '../support/own-services';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';

/**
 * Issue 10 (1): Redis restarts EMPTY. The stack (gateway + router) runs against a redis-server of this test's own,
 * which is SIGKILLed and started again with nothing in it: every job is gone, the delayed ones (an offer's expiry, a
 * waiting contact's timer for its skill relaxation) and the job schedulers (reconcile, coverage check, statistics,
 * overdue aid). The routers recreate the schedulers by themselves within seconds, and the reconcile sweep does from
 * Postgres what the lost jobs would have done: the open offer whose expiry job was lost is expired and its contact
 * offered again; the waiting contact is matched again (which also sets its timer again), and offered once anyone
 * may take it. Nothing lost, nothing doubled. The measured times are printed (docs: reliability).
 */
const OFFER_TIMEOUT_S = 12;
const SKILL_RELAX_S = 6;
const RECONCILE_S = 5; // the default
/** An open offer is taken for one whose expiry job was lost this long past its expiry (libs/routing reconcile.ts). */
const OVERDUE_OFFER_S = 2;
/** Room for a slow, shared machine; the measured times are printed. */
const MARGIN_MS = 20_000;

describe('Redis restarted empty', () => {
  let redis: OwnRedis;
  let stack: Stack;
  let db: Db;
  let tree: TestTree;
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    stack = await startStack({
      REDIS_URL: redis.url,
      OFFER_TIMEOUT_SECONDS: String(OFFER_TIMEOUT_S),
      // (A comes back to the operator who let it run out at once: this test is about Redis's loss, not the pause)
      LET_GO_PAUSE_SECONDS: '0',
      SKILL_RELAX_SECONDS: String(SKILL_RELAX_S),
      RECONCILE_INTERVAL_SECONDS: String(RECONCILE_S),
    });
    db = stack.app.get(Db);
    tree = await createTree(stack.app);
  }, 60_000);
  afterAll(async () => {
    clients.splice(0).forEach((c) => c.close());
    await sleep(100);
    await stack?.close();
    await redis?.stop();
  });

  const intake = (externalId: string, topics: string[] = []) =>
    api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations.a1s1.hotline, channel: 'phone', externalId, topics },
    });
  /** An operator of station a1s1 (no skills), signed in and available. */
  const operator = async () => {
    const u = await tree.operator('a1s1');
    const c = await AgentClient.connect(stack.url, await login(stack.url, u.username));
    clients.push(c);
    await c.available();
    return { ...u, client: c };
  };
  const openOffers = (contactId: string) =>
    db.rows<{ id: string; worker_id: string; created_at: Date; expires_at: Date }>(
      `SELECT id, worker_id, created_at, expires_at FROM offers WHERE contact_id = $1 AND status = 'open'`,
      [contactId],
    );
  /** Polls until `fn` returns a value, or fails after `ms`. */
  async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
      await sleep(100);
    }
  }

  it('recreates the job schedulers, expires the offer whose expiry job was lost, routes the waiting contact', async () => {
    // A is offered to op1 (who never answers); op2 is free, but B needs a skill nobody has: it waits until the skill
    // relaxation, a delayed timer job in Redis.
    const op1 = await operator();
    const a = await intake('redis-empty-a');
    expect(a.status).toBe(201);
    const offerA = await until('offer of A', 15_000, async () => (await openOffers(a.body.id))[0]);
    expect(offerA.worker_id).toBe(op1.id);
    const op2 = await operator();
    const b = await intake('redis-empty-b', ['psychological_support']);
    expect(b.status).toBe(201);
    await routerSettled(stack.app);
    expect(await openOffers(b.body.id)).toEqual([]);
    // both delayed jobs are in Redis (and only there) when it dies
    await delayedJob(stack.app, `expire-${offerA.id}`);
    await until('the timer of B', 15_000, async () =>
      (await routingQueue(stack.app).getDelayed()).find((j) => j.data.contactId === b.body.id),
    );

    // Redis dies and comes back with nothing: the expiry of A's offer, B's timer and the schedulers are gone.
    await redis.kill();
    await redis.start();
    const back = Date.now();
    const observer = new Queue(ROUTING_QUEUE, {
      connection: redisOptions(redis.url) as ConnectionOptions,
      prefix: `${process.env.REDIS_PREFIX}:bull`,
    });
    observer.on('error', () => undefined);
    try {
      // 1. the schedulers are back, by the routers themselves
      const expected = {
        [RoutingJob.Reconcile]: RECONCILE_S * 1000,
        [RoutingJob.CoverageCheck]: 30_000,
        [RoutingJob.StatsReconcile]: '0 3 * * *',
        [RoutingJob.FlagOverdueAid]: 60_000,
        [RoutingJob.ConversationSweep]: 30_000,
        [RoutingJob.StatsFold]: 2_000,
      };
      const schedulers = await until('the job schedulers', MARGIN_MS, async () => {
        const s = await observer.getJobSchedulers();
        return s.length >= Object.keys(expected).length ? s : undefined;
      });
      const schedulersMs = Date.now() - back;
      expect(Object.fromEntries(schedulers.map((s) => [s.key, s.every ?? s.pattern]))).toEqual(expected);

      // 2. A's offer, whose expiry job was lost, is expired after its time (by the sweep) and A is offered again;
      // 3. B, whose timer was lost, is offered once anyone may take it (the sweep matched it and set its timer again)
      const expiresAt = new Date(offerA.expires_at).getTime();
      const relaxAt = new Date(b.body.queuedAt).getTime() + SKILL_RELAX_S * 1000;
      const [offerAgain, offerB] = await Promise.all([
        until(
          'A offered again',
          expiresAt - Date.now() + (OVERDUE_OFFER_S + RECONCILE_S) * 1000 + MARGIN_MS,
          async () => (await openOffers(a.body.id)).find((o) => o.id !== offerA.id),
        ),
        until(
          'B offered',
          relaxAt - Date.now() + RECONCILE_S * 1000 + MARGIN_MS,
          async () => (await openOffers(b.body.id))[0],
        ),
      ]);
      expect(await db.one(`SELECT status, reason FROM offers WHERE id = $1`, [offerA.id])).toEqual({
        status: 'expired',
        reason: 'timeout',
      });
      const againMs = new Date(offerAgain.created_at).getTime() - expiresAt;
      const bMs = new Date(offerB.created_at).getTime() - relaxAt;

      // nothing lost, nothing doubled: two contacts, one open offer each, to two different operators
      const contacts = await db.rows<{ external_id: string; status: string }>(
        `SELECT external_id, status FROM contacts WHERE intake_key_id = $1 ORDER BY external_id`,
        [tree.intakeKeyId],
      );
      expect(contacts.map((c) => [c.external_id, c.status])).toEqual([
        ['redis-empty-a', 'offered'],
        ['redis-empty-b', 'offered'],
      ]);
      expect(new Set([offerAgain.worker_id, offerB.worker_id])).toEqual(new Set([op1.id, op2.id]));
      const held = await db.rows<{ n: string }>(
        `SELECT count(*) AS n FROM contacts
          WHERE assigned_worker_id = ANY($1::uuid[]) AND status IN ('offered', 'active', 'wrap_up')
          GROUP BY assigned_worker_id`,
        [[op1.id, op2.id]],
      );
      expect(held.map((h) => Number(h.n))).toEqual([1, 1]);
      const open = await db.rows<{ n: string }>(
        `SELECT count(*) AS n FROM offers WHERE contact_id = ANY($1::uuid[]) AND status = 'open' GROUP BY contact_id`,
        [[a.body.id, b.body.id]],
      );
      expect(open.map((o) => Number(o.n))).toEqual([1, 1]);

      console.log(
        `Redis restarted empty: job schedulers recreated ${schedulersMs} ms after Redis was back; ` +
          `the offer whose expiry job was lost expired and its contact offered again ${againMs} ms after its expiry ` +
          `(offer timeout ${OFFER_TIMEOUT_S} s, sweep every ${RECONCILE_S} s, an offer counts as overdue ` +
          `${OVERDUE_OFFER_S} s past its expiry); the contact whose timer was lost offered ${bMs} ms after its ` +
          `skill relaxation`,
      );
    } finally {
      await observer.close();
    }
  }, 120_000);
});
