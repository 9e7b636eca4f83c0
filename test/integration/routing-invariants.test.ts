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
    (await ctx.get(ReceiveContact).execute(st.intakeKeyId, { hotlineNumber: st.hotlineNumber, channel: 'phone', riskLevel }))
      .contact;
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
    await expect(db.tx((tx) => offers.create(tx, c.id, st.operators[1].id, 20))).rejects.toThrow(/offers_open_per_contact_uq/);
    const c2 = await newContact();
    await expect(db.tx((tx) => offers.create(tx, c2.id, st.operators[0].id, 20))).rejects.toThrow(/offers_open_per_worker_uq/);
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

  it('accept racing the expiry: exactly one of them wins, every time', async () => {
    await onDuty(1);
    const op = st.operators[0].id;
    const answer = ctx.get(AnswerOffer);
    const expire = ctx.get(ExpireOffer);
    const outcomes = { accepted: 0, expired: 0 };
    for (let round = 0; round < 15; round++) {
      const c = await newContact();
      await ctx.get(MakeOffers).forContact(c.id);
      const offer = (await ctx.get(OfferRepository).findOpenForWorker(op))!;
      expect(offer.contact_id).toBe(c.id);
      // make it due right now, then race
      await db.run(`UPDATE offers SET expires_at = now() + interval '20 milliseconds' WHERE id = $1`, [offer.id]);
      await new Promise((r) => setTimeout(r, 20));
      const [acc, exp] = await Promise.all([answer.accept(op, offer.id), expire.execute(offer.id)]);
      const row = (await ctx.get(ContactRepository).find(c.id))!;
      const final = (await ctx.get(OfferRepository).find(offer.id))!;
      if (acc.ok) {
        expect(exp).toBe(false);
        expect(row.status).toBe('active');
        expect(final.status).toBe('accepted');
        outcomes.accepted++;
        await db.run(`UPDATE contacts SET status = 'completed', completed_at = now() WHERE id = $1`, [c.id]);
      } else {
        expect(exp).toBe(true);
        expect(row.status).toBe('queued');
        expect(final.status).toBe('expired');
        outcomes.expired++;
        await db.run(`UPDATE contacts SET status = 'abandoned', abandoned_at = now() WHERE id = $1`, [c.id]);
      }
    }
    expect(outcomes.accepted + outcomes.expired).toBe(15);
  });
});
