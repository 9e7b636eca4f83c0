import { INestApplicationContext } from '@nestjs/common';
import type Redis from 'ioredis';
import { ReceiveContact } from '../../libs/contacts/src';
import { Db } from '../../libs/database/src';
import { AgentStateRepository } from '../../libs/presence/src';
import { MakeOffers, Reconcile, UNDELIVERED_RETRY_MS } from '../../libs/routing/src';
import { routingQueue } from '../support/clock';
import { listenAsGateway, startDomain } from '../support/context';
import { TestStation, createStation } from '../support/fixtures';

/**
 * Issue 10 (2), the path itself: an offer that reaches no gateway (Redis counts no subscriber for it: no gateway
 * has subscribed again yet after a restart) is withdrawn at once instead of ringing nowhere for the offer timeout.
 * It counts neither as a miss nor as a decline, the contact keeps its place and is routed again after a pause that
 * grows while offers keep reaching nobody (no tight loop on the one operator on duty), and it reaches the operator
 * once a gateway listens again. Nobody listens in this context (startDomain `{ gateway: false }`) until the test
 * subscribes as a gateway does.
 */
describe('an offer that reaches no gateway (real Postgres and Redis)', () => {
  let ctx: INestApplicationContext;
  let close: () => Promise<void>;
  let db: Db;
  let st: TestStation;
  let gateway: Redis | undefined;

  beforeAll(async () => {
    // one missed offer would set the operator away: any miss counted here would show
    ({ ctx, close } = await startDomain(
      { OFFER_TIMEOUT_SECONDS: '20', MISSED_OFFERS_TO_AWAY: '1' },
      { gateway: false },
    ));
    db = ctx.get(Db);
    st = await createStation(ctx, 1);
  });
  afterAll(async () => {
    gateway?.disconnect();
    await close();
  });

  const op = () => st.operators[0].id;
  const offersOf = (contactId: string) =>
    db.rows<{ id: string; status: string; reason: string | null; worker_id: string; closed_at: Date | null }>(
      `SELECT id, status, reason, worker_id, closed_at FROM offers WHERE contact_id = $1 ORDER BY created_at, id`,
      [contactId],
    );
  const agentRow = () =>
    db.one<{ presence: string; missed_in_row: number; missed_total: number; declined_total: number; idle_since: Date }>(
      `SELECT presence, missed_in_row, missed_total, declined_total, idle_since FROM agent_states WHERE user_id = $1`,
      [op()],
    );
  /** The contact's routing timers (`timer-<contactId>-<ms>`), as the moments they are set for. */
  const timersOf = async (contactId: string) =>
    (await routingQueue(ctx).getDelayed())
      .filter((j) => j.id?.startsWith(`timer-${contactId}-`))
      .map((j) => Number(j.id!.slice(`timer-${contactId}-`.length)))
      .sort((a, b) => a - b);

  /** A timer set `pause` ms after the offer was withdrawn (read from the clock a moment after the withdrawal). */
  const expectPause = (ms: number, pause: number) => {
    expect(ms).toBeGreaterThanOrEqual(pause);
    expect(ms).toBeLessThan(pause + 500);
  };

  it('is withdrawn at once, counts against nobody, and its contact keeps its place and is tried again later', async () => {
    const agents = ctx.get(AgentStateRepository);
    await agents.heartbeat('gw-undelivered'); // (a live gateway, as far as Postgres knows: its sockets stay)
    await agents.ensure(op(), st.stationId);
    await agents.addSession('sock-undelivered', op(), 'gw-undelivered');
    await db.tx((tx) => agents.setPresence(op(), 'available', tx));
    const before = (await agentRow())!;
    const { contact } = await ctx
      .get(ReceiveContact)
      .execute(st.intakeKeyId, { hotlineNumber: st.hotlineNumber, channel: 'phone' });

    const match = ctx.get(MakeOffers);
    expect(await match.forContact(contact.id)).toBe(false);
    const [first] = await offersOf(contact.id);
    expect(first).toMatchObject({ status: 'revoked', reason: 'undelivered', worker_id: op() });
    expect(
      await db.one(`SELECT status, assigned_worker_id, queued_at FROM contacts WHERE id = $1`, [contact.id]),
    ).toEqual({ status: 'queued', assigned_worker_id: null, queued_at: new Date(contact.queuedAt) });
    // not a miss, not a decline, and the operator keeps their place in the idle line
    expect(await agentRow()).toEqual(before);
    // no expiry job for it; the contact is routed again after a pause
    expect(await routingQueue(ctx).getJob(`expire-${first.id}`)).toBeUndefined();
    const [timer] = await timersOf(contact.id);
    expect(await timersOf(contact.id)).toHaveLength(1);
    expectPause(timer - new Date(first.closed_at!).getTime(), UNDELIVERED_RETRY_MS);

    // Still nobody listening, and this operator is the only one who may take it: each try is one offer, withdrawn,
    // and the pause doubles (from either side: the contact's routing or the operator's).
    expect(await match.forContact(contact.id)).toBe(false);
    expect(await match.forOperator(op())).toBe(false);
    const offers = await offersOf(contact.id);
    expect(offers.map((o) => [o.status, o.reason])).toEqual(Array(3).fill(['revoked', 'undelivered']));
    const pauses = (await timersOf(contact.id))
      .slice(1)
      .map((t, i) => t - new Date(offers[i + 1].closed_at!).getTime());
    expect(pauses).toHaveLength(2);
    expectPause(pauses[0], 2 * UNDELIVERED_RETRY_MS);
    expectPause(pauses[1], 4 * UNDELIVERED_RETRY_MS);
    expect(await agentRow()).toEqual(before);
    // the sweep does not take a withdrawn offer for one made
    expect((await ctx.get(Reconcile).execute()).dispatched).toBe(0);
    expect(await agentRow()).toEqual(before);
  });

  it('reaches the operator once a gateway listens again, and only then waits for an answer', async () => {
    gateway = await listenAsGateway();
    expect(gateway).toBeDefined();
    const received: string[] = [];
    gateway!.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer) => received.push(channel.toString()));
    const { contact } = await ctx
      .get(ReceiveContact)
      .execute(st.intakeKeyId, { hotlineNumber: st.hotlineNumber, channel: 'phone' });
    // (the contact of the first test waits too, and comes first in line: whichever it is, it is offered and held)
    const waiting = await db.rows<{ id: string }>(`SELECT id FROM contacts WHERE status = 'queued' ORDER BY queued_at`);
    expect(waiting.map((w) => w.id)).toContain(contact.id);
    expect(await ctx.get(MakeOffers).forOperator(op())).toBe(true);
    const open = await db.one<{ id: string; contact_id: string }>(
      `SELECT id, contact_id FROM offers WHERE worker_id = $1 AND status = 'open'`,
      [op()],
    );
    expect(open!.contact_id).toBe(waiting[0].id);
    expect(await routingQueue(ctx).getJob(`expire-${open!.id}`)).toBeDefined();
    expect(received.some((ch) => ch.includes(`agent:${op()}`))).toBe(true);
    expect(await agentRow()).toMatchObject({ presence: 'available', missed_in_row: 0, missed_total: 0 });
  });
});
