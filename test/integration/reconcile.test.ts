import { INestApplicationContext } from '@nestjs/common';
import { ContactRepository, OfferRepository } from '../../libs/contacts/src';
import { Db } from '../../libs/database/src';
import { AgentStateRepository } from '../../libs/presence/src';
import { RoutingQueue } from '../../libs/queue/src';
import {
  GATEWAY_STALE_SECONDS,
  MakeOffers,
  MatchingRepository,
  Reconcile,
  RestoreTimers,
  RoutingRules,
  StationSettingsRepository,
} from '../../libs/routing/src';
import { startDomain } from '../support/context';
import { TestStation, createStation } from '../support/fixtures';

/** What a crash, a lost job or a Redis outage leaves behind is found again from Postgres. */
describe('reconcile (real database)', () => {
  let ctx: INestApplicationContext;
  let close: () => Promise<void>;
  let db: Db;
  let st: TestStation;

  beforeAll(async () => {
    ({ ctx, close } = await startDomain({ RECONNECT_GRACE_SECONDS: '60' }));
    db = ctx.get(Db);
  });
  afterAll(() => close());
  beforeEach(async () => {
    st = await createStation(ctx, 2);
  });

  const hotlineId = async () =>
    (await db.one<{ id: string }>('SELECT id FROM hotlines WHERE number = $1', [st.hotlineNumber]))!.id;
  /** A contact written to Postgres whose routing job never reached Redis. */
  const orphan = async (priority = 0) =>
    (
      await ctx.get(ContactRepository).createOnce({
        hotlineId: await hotlineId(),
        stationId: st.stationId,
        intakeKeyId: st.intakeKeyId,
        externalId: null,
        channel: 'phone',
        callerNumberMasked: null,
        callerNumberHash: null,
        language: null,
        topics: [],
        riskLevel: priority > 0 ? 'high' : 'normal',
        priority,
      })
    ).contact;
  const onDuty = async (userId: string, gateway = 'gw-live') => {
    const agents = ctx.get(AgentStateRepository);
    await agents.heartbeat(gateway);
    await agents.ensure(userId, st.stationId);
    await agents.addSession(`sock-${userId}`, userId, gateway);
    await db.tx((tx) => agents.setPresence(userId, 'available', tx));
  };

  it('offers a contact whose dispatch was lost', async () => {
    const c = await orphan();
    await onDuty(st.operators[0].id);
    const result = await ctx.get(Reconcile).execute();
    expect(result.dispatched).toBeGreaterThanOrEqual(1);
    expect((await ctx.get(ContactRepository).find(c.id))!).toMatchObject({
      status: 'offered',
      assigned_worker_id: st.operators[0].id,
    });
  });

  it('with a queue and nobody free, the sweep makes no match attempt for it; an operator with room gets the first in line', async () => {
    const backlog = [];
    for (let i = 0; i < 20; i++) backlog.push((await orphan()).id);
    const urgent = (await orphan(2)).id; // a high-risk caller, last to arrive: first in routing order
    const attempts = jest.spyOn(ctx.get(MakeOffers), 'forContact');
    try {
      await ctx.get(Reconcile).execute();
      const tried = new Set(attempts.mock.calls.map(([id]) => id));
      expect([...backlog, urgent].filter((id) => tried.has(id))).toEqual([]);

      await onDuty(st.operators[0].id);
      attempts.mockClear();
      await ctx.get(Reconcile).execute();
      expect(attempts.mock.calls.map(([id]) => id)).toContain(urgent);
      expect((await ctx.get(ContactRepository).find(urgent))!).toMatchObject({
        status: 'offered',
        assigned_worker_id: st.operators[0].id,
      });
      const still = await db.rows<{ status: string }>('SELECT status FROM contacts WHERE id = ANY($1::uuid[])', [
        backlog,
      ]);
      expect(still.map((r) => r.status)).toEqual(backlog.map(() => 'queued'));
    } finally {
      attempts.mockRestore();
    }
  });

  it("an operator's match walks the queue in routing order and stops at the first contact they may take", async () => {
    const backlog = [];
    for (let i = 0; i < 40; i++) backlog.push((await orphan()).id);
    const urgent = (await orphan(2)).id;
    const me = st.operators[0].id;
    await onDuty(me);
    // this operator let the high-risk caller and the first in line go: those are left to their own routing
    const offers = ctx.get(OfferRepository);
    for (const id of [urgent, backlog[0]]) {
      await db.tx(async (tx) => offers.close(tx, (await offers.create(tx, id, me, 30)).id, 'declined'));
    }
    // the statement MatchingRepository runs, explained as it runs: how many queued contacts it read
    const explained: unknown[] = [];
    const explaining = {
      prepared: async (_name: string, sql: string, params: unknown[], tx?: unknown) => {
        const [row] = await db.rows<{ 'QUERY PLAN': unknown }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
          params,
          tx as never,
        );
        explained.push(row['QUERY PLAN']);
        return db.rows(sql, params, tx as never);
      },
    };
    const matching = new MatchingRepository(explaining as unknown as Db, ctx.get(RoutingRules));
    // the station's own offer timeout comes with the match (none set here: the default)
    const picked = await db.tx((tx) => matching.bestContactFor(me, new Date(), tx));
    expect(picked).toEqual({
      contactId: backlog[1],
      offerTimeoutSeconds: ctx.get(RoutingRules).defaults.offerTimeoutSeconds,
    });
    await ctx.get(StationSettingsRepository).update(st.stationId, { offerTimeoutSeconds: 45 });
    const again = await db.tx((tx) => ctx.get(MatchingRepository).bestContactFor(me, new Date(), tx));
    expect(again).toEqual({ contactId: backlog[1], offerTimeoutSeconds: 45 });
    const rowsOf = (node: Record<string, unknown>, alias: string): number[] => [
      ...(node['Alias'] === alias ? [node['Actual Rows'] as number] : []),
      ...((node['Plans'] as Record<string, unknown>[] | undefined) ?? []).flatMap((n) => rowsOf(n, alias)),
    ];
    const queueRead = rowsOf((explained[0] as { Plan: Record<string, unknown> }[])[0].Plan, 'w');
    // the queue's index read up to the one picked (contacts ahead of it: the urgent one, the first in line, any left
    // queued by the tests before), not the 41 waiting here
    const ahead = await db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM contacts w, contacts p WHERE p.id = $1 AND w.status = 'queued'
          AND (w.priority > p.priority OR (w.priority = p.priority AND (w.queued_at, w.id) < (p.queued_at, p.id)))`,
      [backlog[1]],
    );
    expect(ahead!.n).toBeGreaterThanOrEqual(2);
    expect(queueRead).toEqual([ahead!.n + 1]);
  });

  it('expires an open offer whose expiry job was lost, and offers the contact again', async () => {
    const c = await orphan();
    await onDuty(st.operators[0].id);
    await onDuty(st.operators[1].id);
    await ctx.get(Reconcile).execute();
    const offer = (await ctx.get(OfferRepository).findOpenForContact(c.id))!;
    await db.run(`UPDATE offers SET expires_at = now() - interval '10 seconds' WHERE id = $1`, [offer.id]);
    const result = await ctx.get(Reconcile).execute();
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect((await ctx.get(OfferRepository).find(offer.id))!.status).toBe('expired');
    const again = (await ctx.get(OfferRepository).findOpenForContact(c.id))!;
    // to the other operator on duty (the one who let it run out gets it back only after the let-go pause)
    expect(again.id).not.toBe(offer.id);
    expect(again.worker_id).not.toBe(offer.worker_id);
  });

  it("adds the open offers' expiry jobs again from Postgres after Redis lost them", async () => {
    const c = await orphan();
    await onDuty(st.operators[0].id);
    await ctx.get(Reconcile).execute();
    const offer = (await ctx.get(OfferRepository).findOpenForContact(c.id))!;
    const queue = ctx.get(RoutingQueue).queue;
    // Redis lost it (as after an empty restart)
    await queue.remove(`expire-${offer.id}`);
    expect(await queue.getJob(`expire-${offer.id}`)).toBeUndefined();
    const restored = await ctx.get(RestoreTimers).execute();
    expect(restored.offers).toBeGreaterThanOrEqual(1);
    const job = await queue.getJob(`expire-${offer.id}`);
    expect(job?.data).toEqual({ offerId: offer.id });
    // due at the offer's own expiry, not later
    expect(job!.timestamp + job!.delay).toBeLessThanOrEqual(new Date(offer.expires_at).getTime() + 50);
    // restoring again doubles nothing
    await ctx.get(RestoreTimers).execute();
    const expiries = (await queue.getDelayed()).filter((j) => j.data.offerId === offer.id);
    expect(expiries).toHaveLength(1);
  });

  it('treats the sockets of a gateway that stopped its heartbeat as closed and revokes their offers', async () => {
    const c = await orphan();
    await onDuty(st.operators[0].id, 'gw-dead');
    await ctx.get(Reconcile).execute();
    expect((await ctx.get(OfferRepository).findOpenForContact(c.id))!.worker_id).toBe(st.operators[0].id);
    await db.run(`UPDATE gateway_instances SET heartbeat_at = now() - make_interval(secs => $1) WHERE id = 'gw-dead'`, [
      GATEWAY_STALE_SECONDS + 5,
    ]);
    const result = await ctx.get(Reconcile).execute();
    expect(result.deadSockets).toBeGreaterThanOrEqual(1);
    expect(await ctx.get(OfferRepository).findOpenForContact(c.id)).toBeUndefined();
    expect((await ctx.get(ContactRepository).find(c.id))!.status).toBe('queued');
    expect((await ctx.get(AgentStateRepository).get(st.operators[0].id))!.connected).toBe(false);
  });
});
