import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ContactRepository, OfferRepository, ReceiveContact } from '../../libs/contacts/src';
import { Db } from '../../libs/database/src';
import { AgentStateRepository } from '../../libs/presence/src';
import { AnswerOffer, ExpireOffer, MakeOffers } from '../../libs/routing/src';
import { startDomain } from '../support/context';
import { TestStation, createStation } from '../support/fixtures';

describe('routing invariants held by Postgres (real database, use-cases called directly)', () => {
  let ctx: INestApplicationContext;
  let close: () => Promise<void>;
  let db: Db;
  let st: TestStation;

  beforeAll(async () => {
    ({ ctx, close } = await startDomain({ OFFER_TIMEOUT_SECONDS: '20', MISSED_OFFERS_TO_AWAY: '100' }));
    db = ctx.get(Db);
  });
  afterAll(() => close());
  beforeEach(async () => {
    st = await createStation(ctx, 4);
  });

  const newContact = async (riskLevel: 'normal' | 'critical' = 'normal') =>
    (
      await ctx
        .get(ReceiveContact)
        .execute(st.intakeKeyId, { hotlineNumber: st.hotlineNumber, channel: 'phone', riskLevel })
    ).contact;
  /** Operators available with a (simulated) connected socket. */
  const onDuty = async (n: number) => {
    const agents = ctx.get(AgentStateRepository);
    for (const op of st.operators.slice(0, n)) {
      await agents.ensure(op.id, st.stationId);
      await agents.addSession(`sock-${randomUUID()}`, op.id, 'test-gateway');
      await db.tx((tx) => agents.setPresence(op.id, 'available', tx));
    }
  };

  it('two open offers for one contact, or for one operator, are refused by the database', async () => {
    const c = await newContact();
    const offers = ctx.get(OfferRepository);
    await db.tx((tx) => offers.create(tx, c.id, st.operators[0].id, 20));
    await expect(db.tx((tx) => offers.create(tx, c.id, st.operators[1].id, 20))).rejects.toThrow(
      /offers_open_per_contact_uq/,
    );
    const c2 = await newContact();
    await expect(db.tx((tx) => offers.create(tx, c2.id, st.operators[0].id, 20))).rejects.toThrow(
      /offers_open_per_worker_uq/,
    );
  });

  it('an operator cannot hold two phone contacts, and a queued contact cannot have an operator', async () => {
    const [a, b] = [await newContact(), await newContact()];
    const op = st.operators[0].id;
    await db.run(`UPDATE contacts SET status = 'active', assigned_worker_id = $2 WHERE id = $1`, [a.id, op]);
    await expect(
      db.run(`UPDATE contacts SET status = 'offered', assigned_worker_id = $2 WHERE id = $1`, [b.id, op]),
    ).rejects.toThrow(/already holds a contact|contacts_one_phone_per_worker_uq/);
    await expect(db.run(`UPDATE contacts SET assigned_worker_id = $2 WHERE id = $1`, [b.id, op])).rejects.toThrow(
      /contacts_assignment_ck/,
    );
  });

  it('a transition from the wrong state changes nothing', async () => {
    const c = await newContact();
    const repo = ctx.get(ContactRepository);
    expect(await db.tx((tx) => repo.transition(tx, c.id, 'accept'))).toBeUndefined();
    expect(await db.tx((tx) => repo.transition(tx, c.id, 'end'))).toBeUndefined();
    expect((await repo.find(c.id))!.status).toBe('queued');
  });

  it('concurrent matching makes each pair once: 6 contacts, 3 operators, 18 matchers at once', async () => {
    const contacts = [];
    for (let i = 0; i < 6; i++) contacts.push(await newContact());
    await onDuty(3);
    const match = ctx.get(MakeOffers);
    const made = await Promise.all([
      ...contacts.map((c) => match.forContact(c.id)),
      ...contacts.map((c) => match.forContact(c.id)),
      ...st.operators.slice(0, 3).flatMap((o) => [match.forOperator(o.id), match.forOperator(o.id)]),
    ]);
    expect(made.filter(Boolean)).toHaveLength(3);
    const open = await db.rows<{ contact_id: string; worker_id: string }>(
      `SELECT o.contact_id, o.worker_id FROM offers o JOIN contacts c ON c.id = o.contact_id
        WHERE c.station_id = $1 AND o.status = 'open'`,
      [st.stationId],
    );
    expect(open).toHaveLength(3);
    expect(new Set(open.map((o) => o.worker_id)).size).toBe(3);
    expect(new Set(open.map((o) => o.contact_id)).size).toBe(3);
  });

  it('the earliest contacts are offered first, critical ahead of all', async () => {
    const first = await newContact();
    await newContact();
    const critical = await newContact('critical');
    await onDuty(2);
    for (const op of st.operators.slice(0, 2)) await ctx.get(MakeOffers).forOperator(op.id);
    const offered = await db.rows<{ id: string }>(
      `SELECT id FROM contacts WHERE station_id = $1 AND status = 'offered' ORDER BY id`,
      [st.stationId],
    );
    expect(offered.map((r) => r.id).sort()).toEqual([first.id, critical.id].sort());
  });

  /**
   * The race an offer's end can bring: the operator's accept arriving as the expiry job runs (it may run up to 25 ms
   * before `expires_at`). Both take the contact's row lock, then close the offer with a conditional update; the
   * database decides. To see each side win, the test lines them up: it holds the contact's row lock, starts one, waits
   * until Postgres shows it blocked on the lock, starts the other, waits again, then lets go; Postgres grants the lock
   * in arrival order. The expiry job reads the offer as due (`expires_at` in the past) before it queues; the accept
   * runs with `expires_at` still ahead (it was put back meanwhile), so it is entitled to win when it gets there first.
   * Then free-running rounds, with nothing lined up: exactly one wins each time.
   */
  it('accept racing the expiry: exactly one of them wins, and each can win', async () => {
    await onDuty(1);
    const op = st.operators[0].id;
    const answer = ctx.get(AnswerOffer);
    const expire = ctx.get(ExpireOffer);
    const outcomes = { accepted: 0, expired: 0 };
    /** Sessions of this test's database waiting for a lock (this file has a database of its own). */
    const blockedOnLocks = async (n: number) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const row = await db.one<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (row!.n >= n) return;
        if (Date.now() > deadline)
          throw new Error(`${n} sessions not blocked on the contact's lock within 15 s (${row!.n})`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const setExpiry = (offerId: string, sql: string) =>
      db.run(`UPDATE offers SET expires_at = ${sql} WHERE id = $1`, [offerId]);

    const round = async (order: 'accept first' | 'expiry first' | 'free') => {
      const c = await newContact();
      await ctx.get(MakeOffers).forContact(c.id);
      const offer = (await ctx.get(OfferRepository).findOpenForWorker(op))!;
      expect(offer.contact_id).toBe(c.id);
      let race: Promise<[Awaited<ReturnType<AnswerOffer['accept']>>, boolean]>;
      if (order === 'free') {
        // due within the expiry job's 25 ms early window, then both at once
        await setExpiry(offer.id, `clock_timestamp() + interval '15 milliseconds'`);
        race = Promise.all([answer.accept(op, offer.id), expire.execute(offer.id)]);
      } else {
        race = db
          .tx(async (tx) => {
            await db.run('SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE', [c.id], tx);
            let acc: Promise<Awaited<ReturnType<AnswerOffer['accept']>>>;
            let exp: Promise<boolean>;
            if (order === 'accept first') {
              acc = answer.accept(op, offer.id);
              await blockedOnLocks(1);
              await setExpiry(offer.id, `now() - interval '1 second'`);
              exp = expire.execute(offer.id);
              await blockedOnLocks(2);
            } else {
              await setExpiry(offer.id, `now() - interval '1 second'`);
              exp = expire.execute(offer.id);
              await blockedOnLocks(1);
              acc = answer.accept(op, offer.id);
              await blockedOnLocks(2);
            }
            await setExpiry(offer.id, `now() + interval '20 seconds'`);
            return [acc, exp] as const;
          })
          .then(([acc, exp]) => Promise.all([acc, exp])); // the lock is let go as the transaction commits
      }
      const [acc, exp] = await race;
      const row = (await ctx.get(ContactRepository).find(c.id))!;
      const final = (await ctx.get(OfferRepository).find(offer.id))!;
      expect(acc.ok !== exp).toBe(true); // exactly one of them
      if (acc.ok) {
        expect(row.status).toBe('active');
        expect(final.status).toBe('accepted');
        outcomes.accepted++;
        await db.run(`UPDATE contacts SET status = 'completed', completed_at = now() WHERE id = $1`, [c.id]);
      } else {
        expect(acc).toEqual({ ok: false, error: 'offer_expired' });
        expect(row.status).toBe('queued');
        expect(final.status).toBe('expired');
        outcomes.expired++;
        await db.run(`UPDATE contacts SET status = 'abandoned', abandoned_at = now() WHERE id = $1`, [c.id]);
      }
      return acc.ok ? 'accepted' : 'expired';
    };

    for (let i = 0; i < 4; i++) {
      expect(await round('accept first')).toBe('accepted');
      expect(await round('expiry first')).toBe('expired');
    }
    expect(outcomes).toEqual({ accepted: 4, expired: 4 });
    for (let i = 0; i < 8; i++) await round('free');
    expect(outcomes.accepted + outcomes.expired).toBe(16);
  });
});
