import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { TestTree, contactRow, createTree } from '../support/fixtures';
import {
  ControllableClock,
  delayedJob,
  expireOfferNow,
  followUpDueNow,
  routerSettled,
  runDueTimers,
} from '../support/clock';
import { Db } from '../../libs/database/src';

const OUTCOME = {
  serviceTypes: ['emotional_support'],
  targetGroup: 'other',
  summary: '情绪支持。',
  problems: [{ category: 'emotional', resolution: 'resolved' }],
};

/**
 * Routing rules end to end (HTTP + socket.io, real Postgres and Redis), at the product's default waits (offer 20 s,
 * overflow 30/60/90 s, skill relaxation 20 s, continuity 15 s). The product reads the time from a ControllableClock
 * (support/clock.ts) that stands still unless the test moves it: "at once" means no wait can have run out, a timed
 * step is watched by moving the clock to just before and just after its moment, and who is idle longer or came in
 * first is set by moving the clock between the steps. Nothing is measured against the wall clock.
 */
describe('routing rules', () => {
  let stack: Stack;
  let tree: TestTree;
  const clients: AgentClient[] = [];
  const clock = new ControllableClock();
  /** Moves the product's clock on and runs the rule timers of these contacts that fell due, as at their moment. */
  const advance = async (ms: number, ...contacts: { id: string }[]) => {
    await routerSettled(stack.app); // every timer scheduled so far is in the queue
    clock.advance(ms);
    for (const c of contacts) await runDueTimers(stack.app, c.id);
    await routerSettled(stack.app);
  };
  /** How long the contact has waited, by the product's clock. */
  const waitedMs = (c: { queuedAt: string }) => clock.now().getTime() - Date.parse(c.queuedAt);

  const onDuty = async (op: { username: string }, available = true) => {
    const c = await AgentClient.connect(stack.url, await login(stack.url, op.username));
    clients.push(c);
    if (available) await c.available();
    return c;
  };
  const intake = (station: keyof TestTree['stations'], body: Record<string, unknown> = {}) =>
    api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations[station].hotline, channel: 'phone', ...body },
    }).then((r) => {
      if (r.status !== 201) throw new Error(`intake ${r.status} ${r.text}`);
      return r.body as { id: string; queuedAt: string };
    });
  /** Accept the next offer and keep the contact (the operator stays busy). */
  const takeNext = async (c: AgentClient) => {
    const offer = await c.next('contact:offer');
    const ack = await c.emit('offer:accept', { offerId: offer.offerId });
    expect(ack.ok).toBe(true);
    return offer;
  };
  const complete = async (op: { username: string }, contactId: string, body: object = OUTCOME) => {
    const token = await login(stack.url, op.username);
    const res = await api(stack.url, 'POST', `/contacts/${contactId}/outcome`, { token, body });
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    stack = await startStack(
      {
        OFFER_TIMEOUT_SECONDS: '20',
        OVERFLOW_DISTRICT_SECONDS: '30',
        OVERFLOW_REGION_SECONDS: '60',
        OVERFLOW_CITY_SECONDS: '90',
        SKILL_RELAX_SECONDS: '20',
        CONTINUITY_WINDOW_SECONDS: '15',
        CHAT_CAPACITY: '2',
        MISSED_OFFERS_TO_AWAY: '2',
      },
      { clock },
    );
  });
  beforeEach(async () => {
    tree = await createTree(stack.app);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  it('overflows station → district → region → city at its waits, keeping each contact its place', async () => {
    // the station has someone on duty (busy), so there is no skip: the steps come at 30, 60 and 90 s
    const home = await onDuty(await tree.operator('a1s1'));
    await intake('a1s1');
    await takeNext(home);
    const district = await onDuty(await tree.operator('a1s2'), false);
    const region = await onDuty(await tree.operator('a2s1'), false);
    const city = await onDuty(await tree.operator('b1s1'), false);
    // two callers 1.5 s apart
    const first = await intake('a1s1');
    await advance(1500);
    const second = await intake('a1s1');

    // both have reached the region (the younger one 0.5 s ago): an operator of the region who comes on duty takes
    // the older one, which kept its place through the overflow
    await advance(60_500, first, second);
    await region.available();
    const atRegion = await region.next('contact:offer');
    expect(atRegion.contact.id).toBe(first.id);
    await region.emit('offer:accept', { offerId: atRegion.offerId });

    // the city's operator is free, but the younger one reaches the city only at its own step (90 s), by its timer
    await city.available();
    await advance(29_499, second);
    expect(waitedMs(second)).toBe(89_999);
    await city.none('contact:offer', 300);
    await advance(1, second);
    const atCity = await city.next('contact:offer');
    expect(atCity.contact.id).toBe(second.id);
    await city.emit('offer:accept', { offerId: atCity.offerId });

    // a fresh contact reaches the district at its step (30 s): not a millisecond before, and by its timer
    const third = await intake('a1s1');
    await district.available();
    await advance(20_000, third); // its first timer: the skill relaxation (nothing to relax here)
    await advance(9_999, third);
    await district.none('contact:offer', 300);
    await advance(1, third);
    const atDistrict = await district.next('contact:offer');
    expect(atDistrict.contact.id).toBe(third.id);
    expect(waitedMs(third)).toBe(30_000); // well before the region step
  });

  it('a station with nobody on duty skips straight to the next level', async () => {
    const district = await onDuty(await tree.operator('a1s2'));
    const c = await intake('a1s1');
    const offer = await district.next('contact:offer'); // the clock stands still: no wait ran out, this is the skip
    expect(offer.contact.id).toBe(c.id);
    expect(waitedMs(c)).toBe(0);
  });

  it('a station’s own operator is preferred over the district when both are free', async () => {
    const other = await onDuty(await tree.operator('a1s2'));
    clock.advance(1000); // the district's operator is idle longer
    const own = await onDuty(await tree.operator('a1s1'));
    const c = await intake('a1s1');
    expect((await own.next('contact:offer')).contact.id).toBe(c.id);
    await other.none('contact:offer', 200);
  });

  it('matches language and topics first, then relaxes the match after the wait', async () => {
    const cmn = await onDuty(await tree.operator('a1s1', { languages: ['cmn'], skills: ['material_aid'] }));
    clock.advance(1000);
    const yue = await onDuty(await tree.operator('a1s1', { languages: ['yue', 'cmn'], skills: [] }));
    // yue speaker is idle for less time, but only they match the language
    const c1 = await intake('a1s1', { language: 'yue' });
    expect((await yue.next('contact:offer')).contact.id).toBe(c1.id);
    await cmn.none('contact:offer', 200);
    // nobody free matches yue + material_aid: the cmn operator gets it once the match is relaxed (20 s)
    const c2 = await intake('a1s1', { language: 'yue', topics: ['material_aid'] });
    await advance(19_999, c2);
    await cmn.none('contact:offer', 300);
    await advance(1, c2);
    const relaxed = await cmn.next('contact:offer');
    expect(relaxed.contact.id).toBe(c2.id);
    expect(waitedMs(c2)).toBe(20_000);
  });

  it('critical goes first, then high, then normal, each first come first served', async () => {
    // a second apart (the clock stands still: without a step they would come in at the same instant)
    const normal = await intake('a1s1', { riskLevel: 'normal' });
    clock.advance(1000);
    const high = await intake('a1s1', { riskLevel: 'high' });
    clock.advance(1000);
    const critical = await intake('a1s1', { riskLevel: 'critical' });
    clock.advance(1000);
    const high2 = await intake('a1s1', { riskLevel: 'high' });
    const operator = await tree.operator('a1s1');
    const op = await onDuty(operator);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const offer = await takeNext(op);
      order.push(offer.contact.id);
      await complete(operator, offer.contact.id);
    }
    expect(order).toEqual([critical.id, high.id, high2.id, normal.id]);
  });

  it('sets an operator away after two offers in a row missed by timeout, and says why', async () => {
    const op = await onDuty(await tree.operator('a1s1'));
    const c = await intake('a1s1');
    const first = await op.next('contact:offer');
    await expireOfferNow(stack.app, first.offerId);
    expect((await op.next('offer:revoked')).reason).toBe('timeout');
    // alone on duty, it comes back after the let-go pause
    clock.advance(10_000);
    await runDueTimers(stack.app, c.id);
    const second = await op.next('contact:offer');
    expect(second.contact.id).toBe(c.id);
    expect(second.offerId).not.toBe(first.offerId);
    await op.none('agent:presence', 200); // one missed offer: still available
    await expireOfferNow(stack.app, second.offerId);
    expect((await op.next('offer:revoked')).reason).toBe('timeout');
    expect(await op.next('agent:presence')).toMatchObject({
      presence: 'away',
      reason: 'missed_offers',
      missedInRow: 2,
    });
    await op.none('contact:offer', 1500);
    expect((await op.emit('state:get')).state.presence).toBe('away');
    expect((await contactRow(stack.app, c.id))!.status).toBe('queued');
  });

  it('offers a repeat caller first to the operator who handled them last', async () => {
    const a = await tree.operator('a1s1');
    const b = await tree.operator('a1s1');
    const bSock = await onDuty(b, false);
    const aSock = await onDuty(a);
    const caller = `139${Date.now().toString().slice(-8)}`;
    const c1 = await intake('a1s1', { callerNumber: caller });
    await takeNext(aSock);
    await complete(a, c1.id);
    clock.advance(1000);
    // b is idle longer than a (a just finished), so without continuity b would be offered the next call
    await bSock.available();
    clock.advance(1000);
    await aSock.emit('presence:set', { status: 'away' });
    await aSock.available();
    const c2 = await intake('a1s1', { callerNumber: caller });
    const offer = await aSock.next('contact:offer');
    expect(offer.contact.id).toBe(c2.id);
    await bSock.none('contact:offer', 200);
    // a caller without history goes to the operator idle longest
    const c3 = await intake('a1s1', { callerNumber: '13700000000' });
    expect((await bSock.next('contact:offer')).contact.id).toBe(c3.id);
  });

  it('a repeat caller whose previous operator is not on duty is routed as usual at once', async () => {
    const a = await tree.operator('a1s1');
    const aSock = await onDuty(a);
    const caller = `138${Date.now().toString().slice(-8)}`;
    const c1 = await intake('a1s1', { callerNumber: caller });
    await takeNext(aSock);
    await complete(a, c1.id);
    aSock.close();
    const b = await onDuty(await tree.operator('a1s1'));
    const c2 = await intake('a1s1', { callerNumber: caller });
    // the clock stands still: the 15 s window did not run out, the reservation was let go at once
    expect((await b.next('contact:offer')).contact.id).toBe(c2.id);
    expect(waitedMs(c2)).toBe(0);
  });

  it('holds up to the chat capacity, and a phone contact only alone', async () => {
    const operator = await tree.operator('a1s1');
    const op = await onDuty(operator);
    const chat1 = await intake('a1s1', { channel: 'chat' });
    expect((await takeNext(op)).contact.id).toBe(chat1.id);
    const chat2 = await intake('a1s1', { channel: 'wechat' });
    expect((await takeNext(op)).contact.id).toBe(chat2.id);
    const chat3 = await intake('a1s1', { channel: 'chat' });
    const phone = await intake('a1s1', { channel: 'phone' });
    await op.none('contact:offer', 400); // at capacity (2); a phone call needs them free
    for (const id of [chat1.id, chat2.id]) await complete(operator, id);
    // free again: the older waiting contact (chat3) first, then with a chat held the phone call still waits
    expect((await takeNext(op)).contact.id).toBe(chat3.id);
    await op.none('contact:offer', 300);
    expect((await contactRow(stack.app, phone.id))!.status).toBe('queued');
  });

  it('applies a station’s own settings (offer timeout, chat capacity) over the city-wide defaults', async () => {
    const coordinator = await login(stack.url, (await tree.user('coordinator', tree.districts.a1)).username);
    const path = `/stations/${tree.stations.a1s1.id}/routing-settings`;
    const bad = await api(stack.url, 'PUT', path, {
      token: coordinator,
      body: { offerTimeoutSeconds: -1, chatCapacity: 1.5 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message.join(' ')).toMatch(/offerTimeoutSeconds.*chatCapacity|chatCapacity.*offerTimeoutSeconds/);
    const put = await api(stack.url, 'PUT', path, {
      token: coordinator,
      body: { offerTimeoutSeconds: 45, chatCapacity: 1 },
    });
    expect(put.status).toBe(200);
    expect(put.body.effective).toMatchObject({ offerTimeoutSeconds: 45, chatCapacity: 1, overflowDistrictSeconds: 30 });
    const operator = await tree.operator('a1s1');
    const opToken = await login(stack.url, operator.username);
    expect((await api(stack.url, 'PUT', path, { token: opToken, body: { chatCapacity: 2 } })).status).toBe(403);

    const op = await onDuty(operator);
    await intake('a1s1', { channel: 'chat' });
    const offer = await op.next('contact:offer');
    expect(Date.parse(offer.expiresAt) - clock.now().getTime()).toBe(45_000); // 20 s city-wide
    await op.emit('offer:accept', { offerId: offer.offerId });
    await intake('a1s1', { channel: 'chat' });
    await op.none('contact:offer', 400); // capacity 1 at this station

    const cleared = await api(stack.url, 'PUT', path, { token: coordinator, body: { offerTimeoutSeconds: null } });
    expect(cleared.body.own.offerTimeoutSeconds).toBeNull();
    expect(cleared.body.effective.offerTimeoutSeconds).toBe(20);
  });

  it('turns a follow-up into an outbound contact at its due time, offered to the operator who recorded it', async () => {
    const a = await tree.operator('a1s1');
    const b = await tree.operator('a1s1');
    const bSock = await onDuty(b);
    clock.advance(1000);
    const aSock = await onDuty(a);
    await routerSettled(stack.app); // a's coming on duty is matched (nothing waits) before the call arrives
    const c = await intake('a1s1', { callerNumber: '13612345678' });
    await takeNext(bSock); // b (idle longest) takes the call…
    await bSock.emit('presence:set', { status: 'away' });
    // a callback due in the past (by the product's clock) is refused
    const past = new Date(clock.now().getTime() - 1).toISOString();
    const refused = await api(stack.url, 'POST', `/contacts/${c.id}/outcome`, {
      token: await login(stack.url, b.username),
      body: { ...OUTCOME, followUp: { dueAt: past, note: '回访' } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual(['followUp.dueAt must be in the future']);
    const dueAt = new Date(clock.now().getTime() + 3600_000).toISOString();
    await complete(b, c.id, { ...OUTCOME, followUp: { dueAt, note: '回访' } });
    const followUp = (await stack.app
      .get(Db)
      .one<{ id: string }>('SELECT id FROM follow_ups WHERE source_contact_id = $1', [c.id]))!;
    // scheduled for its due time (a delayed job), and nothing before it
    const job = await delayedJob(stack.app, `follow-up-${followUp.id}`);
    expect(job.delay).toBe(Date.parse(dueAt) - clock.now().getTime());
    await bSock.available();
    await bSock.none('contact:offer', 300);
    // …and a is idle longer now; at its due time the callback still goes to b, who promised it
    await followUpDueNow(stack.app, followUp.id);
    const offer = await bSock.next('contact:offer').catch(async (err: Error) => {
      // what the database says, for the failure message
      const db = stack.app.get(Db);
      const state = {
        followUp: await db.one('SELECT status, due_at, contact_id FROM follow_ups WHERE id = $1', [followUp.id]),
        contacts: await db.rows(
          `SELECT c.id, c.status, c.assigned_worker_id = $2 AS to_b, c.assigned_worker_id = $3 AS to_a, c.preferred_worker_id = $2 AS for_b,
                  c.preferred_until > $4 AS reserved, (SELECT json_agg(o.status) FROM offers o WHERE o.contact_id = c.id) AS offers
             FROM contacts c WHERE c.follow_up_id = $1`,
          [followUp.id, b.id, a.id, clock.now()],
        ),
        b: await db.one(
          `SELECT presence, (SELECT count(*)::int FROM agent_sessions s WHERE s.user_id = $1) AS sockets FROM agent_states WHERE user_id = $1`,
          [b.id],
        ),
        aOffers: aSock.events.filter((e) => e.event === 'contact:offer').length,
        bEvents: bSock.events.map((e) => e.event),
      };
      throw new Error(`${err.message}: ${JSON.stringify(state)}`);
    });
    expect((await bSock.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    const row = (await contactRow(stack.app, offer.contact.id))!;
    expect(row).toMatchObject({ direction: 'outbound', caller_number_masked: '136****5678' });
    expect(row.follow_up_id).toBeTruthy();
    await aSock.none('contact:offer', 100);
  });
});
