import { Db } from '../../libs/database/src';
import { Reconcile } from '../../libs/routing/src';
import { ControllableClock, disconnectedFor } from '../support/clock';
import { TestStation, contactRow, createStation } from '../support/fixtures';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';

const OUTCOME = {
  serviceTypes: ['emotional_support'],
  targetGroup: 'elderly',
  summary: '来电老人独居感到孤独，社工倾听并介绍社区活动。',
  problems: [{ category: 'loneliness', resolution: 'resolved' }],
};

/**
 * Issue 10 (4): losing the console is not losing the call. An operator's socket is cut in the middle of a phone
 * contact and stays away past the reconnect grace (the product's clock and the disconnect time are moved, the
 * product's own sweep runs): the contact stays theirs, nobody else is offered it, the coordinator sees it (live
 * snapshot, `agent:console-lost`) and may let it go; after the telephony side's `/end` the operator records the
 * outcome. A chat in the same situation is still reclaimed for another operator. Each test checks from the database
 * that nothing was lost or doubled.
 */
describe('a console lost in the middle of a phone contact', () => {
  const clock = new ControllableClock();
  let stack: Stack;
  let st: TestStation;
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    // the default grace (60 s) and sweep interval (60 s): the test moves past the grace and runs the sweep itself
    stack = await startStack({ RECONNECT_GRACE_SECONDS: '60', RECONCILE_INTERVAL_SECONDS: '60' }, { clock });
  });
  beforeEach(async () => {
    st = await createStation(stack.app, 2);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  const rows = <T = Record<string, unknown>>(sql: string, params: unknown[]) => stack.app.get(Db).rows<T>(sql, params);
  const operator = async (i: number) => {
    const token = await login(stack.url, st.operators[i].username);
    const c = await AgentClient.connect(stack.url, token);
    clients.push(c);
    await c.available();
    return { c, token, id: st.operators[i].id };
  };
  const coordinator = async () => {
    const user = await st.user('coordinator', st.districtId);
    const token = await login(stack.url, user.username);
    const m = await AgentClient.monitor(stack.url, token);
    clients.push(m);
    return { m, token };
  };
  const intake = async (channel: 'phone' | 'chat', externalId: string) => {
    const res = await api(stack.url, 'POST', '/contacts', {
      key: st.intakeKey,
      body: { hotlineNumber: st.hotlineNumber, channel, externalId: `${externalId}-${st.stationId}` },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; queuedAt: string };
  };
  /** The operator takes the contact offered to them. */
  const take = async (c: AgentClient, contactId: string) => {
    const offer = await c.next('contact:offer', (o) => o.contact.id === contactId);
    expect((await c.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    return offer;
  };
  /** The console's connection is cut (no goodbye from the client: the transport just closes). */
  const cut = (c: AgentClient) => c.socket.io.engine.close();
  /** The cut operator stays away past the 60 s grace and the product's sweep runs. */
  const pastGrace = async (userId: string) => {
    clock.advance(65_000);
    await disconnectedFor(stack.app, userId, 65);
    return stack.app.get(Reconcile).execute();
  };
  const offersOf = (contactId: string) =>
    rows<{ worker_id: string; status: string }>(
      'SELECT worker_id, status FROM offers WHERE contact_id = $1 ORDER BY created_at',
      [contactId],
    );
  const snapshot = async (m: AgentClient) => {
    const ack = await m.emit('snapshot:get');
    expect(ack.ok).toBe(true);
    return ack.snapshot;
  };

  it('the phone contact stays with the operator past the grace; the coordinator sees it; after /end they record the outcome', async () => {
    const { m } = await coordinator();
    const a = await operator(0);
    const call = await intake('phone', 'lost-call');
    await take(a.c, call.id);
    const b = await operator(1); // free and on duty: a reclaimed contact would go to b

    cut(a.c);
    const result = await pastGrace(a.id);
    expect(result.graceExpired).toBeGreaterThanOrEqual(1);

    // the call goes on: the contact stays active with a, nobody else is offered it
    expect(await contactRow(stack.app, call.id)).toMatchObject({ status: 'active', assigned_worker_id: a.id });
    await b.c.none('contact:offer', 500);
    expect(await offersOf(call.id)).toEqual([{ worker_id: a.id, status: 'accepted' }]);
    // a is offline: nothing more is offered to them while they are away
    expect(await rows('SELECT presence FROM agent_states WHERE user_id = $1', [a.id])).toEqual([
      { presence: 'offline' },
    ]);
    // a later sweep leaves it too
    await stack.app.get(Reconcile).execute();
    expect(await contactRow(stack.app, call.id)).toMatchObject({ status: 'active', assigned_worker_id: a.id });

    // the coordinator is told, and sees it on the live board until it is settled
    expect(await m.next('agent:console-lost', (e) => e.contactId === call.id)).toMatchObject({
      userId: a.id,
      stationId: st.stationId,
      disconnectedSeconds: 65,
    });
    const live = await snapshot(m);
    expect(live.consoleLostContacts).toEqual([
      expect.objectContaining({ contactId: call.id, operatorId: a.id, stationId: st.stationId }),
    ]);
    expect(live.units.find((u: { orgUnitId: string }) => u.orgUnitId === st.stationId)).toMatchObject({
      consoleLost: 1,
      busy: 1,
    });

    // the call ends on the phone network: the telephony side says so; a (still without a console) records it
    const ended = await api(stack.url, 'POST', `/contacts/${call.id}/end`, { key: st.intakeKey });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'wrap_up', assignedWorkerId: a.id });
    const out = await api(stack.url, 'POST', `/contacts/${call.id}/outcome`, { token: a.token, body: OUTCOME });
    expect(out.status).toBe(201);
    expect((await snapshot(m)).consoleLostContacts).toEqual([]);

    // nothing lost, nothing doubled
    expect(
      await rows('SELECT status, assigned_worker_id FROM contacts WHERE external_id = $1', [
        `lost-call-${st.stationId}`,
      ]),
    ).toEqual([{ status: 'completed', assigned_worker_id: a.id }]);
    expect(await rows('SELECT worker_id FROM outcomes WHERE contact_id = $1', [call.id])).toEqual([
      { worker_id: a.id },
    ]);
    expect(await offersOf(call.id)).toEqual([{ worker_id: a.id, status: 'accepted' }]);
  });

  it('the operator who comes back after the grace finds the call, is offered nothing else on it, and records it', async () => {
    const a = await operator(0);
    const call = await intake('phone', 'back-call');
    await take(a.c, call.id);
    const b = await operator(1);
    cut(a.c);
    await pastGrace(a.id);

    const back = new AgentClient(stack.url, a.token);
    clients.push(back);
    const state = await back.next('agent:state');
    expect(state).toMatchObject({ presence: 'offline', offer: null, contact: { id: call.id, status: 'active' } });
    // on duty again while still on the call: the next call goes to b, not to a
    await back.available();
    const next = await intake('phone', 'back-next');
    await take(b.c, next.id);
    await back.none('contact:offer', 300);

    expect((await api(stack.url, 'POST', `/contacts/${call.id}/end`, { key: st.intakeKey })).status).toBe(200);
    const out = await api(stack.url, 'POST', `/contacts/${call.id}/outcome`, { token: a.token, body: OUTCOME });
    expect(out.status).toBe(201);
    expect(await rows('SELECT worker_id FROM outcomes WHERE contact_id = $1', [call.id])).toEqual([
      { worker_id: a.id },
    ]);
    expect(await offersOf(call.id)).toEqual([{ worker_id: a.id, status: 'accepted' }]);
    expect(await offersOf(next.id)).toEqual([{ worker_id: b.id, status: 'accepted' }]);
  });

  it('a coordinator may let go of the call of an operator whose console is lost, and only then', async () => {
    const { token: coord } = await coordinator();
    const a = await operator(0);
    const call = await intake('phone', 'let-go');
    const offer = await take(a.c, call.id);

    // while a is connected the coordinator asks them instead; an operator, or a coordinator elsewhere, cannot
    expect((await api(stack.url, 'POST', `/contacts/${call.id}/reclaim`, { token: coord })).status).toBe(409);
    expect((await api(stack.url, 'POST', `/contacts/${call.id}/reclaim`, { token: a.token })).status).toBe(403);
    const other = await createStation(stack.app, 0);
    const elsewhere = await login(stack.url, (await other.user('coordinator', other.districtId)).username);
    expect((await api(stack.url, 'POST', `/contacts/${call.id}/reclaim`, { token: elsewhere })).status).toBe(404);

    cut(a.c);
    await pastGrace(a.id);
    const b = await operator(1);
    await b.c.none('contact:offer', 300);
    const let_ = await api(stack.url, 'POST', `/contacts/${call.id}/reclaim`, { token: coord });
    expect(let_.status).toBe(200);
    expect(let_.body).toMatchObject({ status: 'queued', assignedWorkerId: null, queuedAt: offer.contact.queuedAt });
    await take(b.c, call.id);
    expect(await contactRow(stack.app, call.id)).toMatchObject({ status: 'active', assigned_worker_id: b.id });
    expect((await api(stack.url, 'POST', `/contacts/${call.id}/reclaim`, { token: coord })).status).toBe(409);
    expect(await offersOf(call.id)).toEqual([
      { worker_id: a.id, status: 'accepted' },
      { worker_id: b.id, status: 'accepted' },
    ]);
    // who let go of it, from whom: in the audit log once (the refused attempts wrote nothing)
    const audit = await stack.app
      .get(Db)
      .rows<{ actor_role: string; detail: { fromWorkerId: string } }>(
        `SELECT actor_role, detail FROM audit_log WHERE action = 'contact.reclaim' AND contact_id = $1`,
        [call.id],
      );
    expect(audit).toEqual([{ actor_role: 'coordinator', detail: { fromWorkerId: a.id } }]);
  });

  it('a chat contact in the same situation is still reclaimed for another operator, keeping its place', async () => {
    const a = await operator(0);
    const chat = await intake('chat', 'lost-chat');
    const first = await take(a.c, chat.id);
    const b = await operator(1);
    cut(a.c);
    await pastGrace(a.id);

    const again = await b.c.next('contact:offer', (o) => o.contact.id === chat.id);
    expect(again.contact.queuedAt).toBe(first.contact.queuedAt);
    expect((await b.c.emit('offer:accept', { offerId: again.offerId })).ok).toBe(true);
    expect(await contactRow(stack.app, chat.id)).toMatchObject({ status: 'active', assigned_worker_id: b.id });
    // a's outcome is refused: the conversation moved to b
    expect(
      (await api(stack.url, 'POST', `/contacts/${chat.id}/outcome`, { token: a.token, body: OUTCOME })).status,
    ).toBe(403);
    expect(
      await rows('SELECT count(*)::int AS n FROM contacts WHERE external_id = $1', [`lost-chat-${st.stationId}`]),
    ).toEqual([{ n: 1 }]);
    expect(await offersOf(chat.id)).toEqual([
      { worker_id: a.id, status: 'accepted' },
      { worker_id: b.id, status: 'accepted' },
    ]);
  });
});
