import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { TestStation, contactRow, createStation } from '../support/fixtures';
import { disconnectedFor } from '../support/clock';
import { Reconcile } from '../../libs/routing/src';

describe('presence and dropped sockets', () => {
  let stack: Stack;
  let st: TestStation;
  const clients: AgentClient[] = [];
  const connect = async (i: number) => {
    const c = await AgentClient.connect(stack.url, await login(stack.url, st.operators[i].username));
    clients.push(c);
    return c;
  };
  const intake = () =>
    api(stack.url, 'POST', '/contacts', {
      key: st.intakeKey,
      body: { hotlineNumber: st.hotlineNumber, channel: 'chat' },
    });

  // The default reconnect grace (60 s) and sweep interval (60 s): the grace never runs out by itself during a
  // test, and what happens at once is told apart from what the sweep does. The test moves past the grace itself.
  beforeAll(async () => {
    stack = await startStack({ RECONNECT_GRACE_SECONDS: '60', RECONCILE_INTERVAL_SECONDS: '60' });
  });
  beforeEach(async () => {
    st = await createStation(stack.app, 2);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  it('is offered nothing until available, and nothing after going away', async () => {
    const op = await connect(0);
    const first = await intake();
    await op.none('contact:offer', 300);
    await op.available();
    const offer = await op.next('contact:offer');
    expect(offer.contact.id).toBe(first.body.id);
    // going away with an open offer gives it back at once
    const ack = await op.emit('presence:set', { status: 'away' });
    expect(ack).toMatchObject({ ok: true, status: 'away' });
    expect(await op.next('offer:revoked')).toMatchObject({ offerId: offer.offerId, reason: 'away' });
    expect((await contactRow(stack.app, first.body.id))!.status).toBe('queued');
    await op.none('contact:offer', 300);
  });

  it('a socket dropped with an open offer re-routes the contact at once', async () => {
    const a = await connect(0);
    await a.available();
    const b = await connect(1);
    const created = await intake();
    const offer = await a.next('contact:offer');
    await b.available(); // b is now free too, but the contact is reserved for a
    await b.none('contact:offer', 200);
    a.close();
    const rerouted = await b.next('contact:offer'); // at once: neither the 60 s grace nor the 60 s sweep
    expect(rerouted.contact.id).toBe(created.body.id);
    expect(rerouted.offerId).not.toBe(offer.offerId);
  });

  it('reconnecting restores the whole state in one event, with the active contact kept through the grace', async () => {
    const token = await login(stack.url, st.operators[0].username);
    const a = await AgentClient.connect(stack.url, token);
    clients.push(a);
    await a.available();
    const created = await intake();
    const offer = await a.next('contact:offer');
    expect((await a.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    a.close();
    await disconnectedFor(stack.app, st.operators[0].id, 30); // half the grace gone by; the sweep leaves it
    await stack.app.get(Reconcile).execute();
    expect((await contactRow(stack.app, created.body.id))!.status).toBe('active');

    const back = new AgentClient(stack.url, token);
    clients.push(back);
    const state = await back.next('agent:state');
    expect(state).toMatchObject({ presence: 'available', connected: true, offer: null });
    expect(state.contact).toMatchObject({ id: created.body.id, status: 'active' });
  });

  it('reconnecting with an open offer (on another socket) shows the offer in the state', async () => {
    const token = await login(stack.url, st.operators[0].username);
    const tab1 = await AgentClient.connect(stack.url, token);
    clients.push(tab1);
    await tab1.available();
    const created = await intake();
    const offer = await tab1.next('contact:offer');
    const tab2 = new AgentClient(stack.url, token);
    clients.push(tab2);
    const state = await tab2.next('agent:state');
    expect(state.offer).toMatchObject({ offerId: offer.offerId, contact: { id: created.body.id } });
    // the operator accepts from the second tab
    expect((await tab2.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
  });

  it('past the reconnect grace an active contact goes back in line and the operator is set offline', async () => {
    const a = await connect(0);
    await a.available();
    const created = await intake();
    const offer = await a.next('contact:offer');
    await a.emit('offer:accept', { offerId: offer.offerId });
    const b = await connect(1);
    await b.available();
    a.close();
    await disconnectedFor(stack.app, st.operators[0].id, 55); // not yet past the grace: the sweep leaves it
    await stack.app.get(Reconcile).execute();
    expect((await contactRow(stack.app, created.body.id))!).toMatchObject({
      status: 'active',
      assigned_worker_id: st.operators[0].id,
    });
    await b.none('contact:offer', 200);
    await disconnectedFor(stack.app, st.operators[0].id, 65); // past the grace: the sweep takes it back
    expect((await stack.app.get(Reconcile).execute()).graceExpired).toBeGreaterThanOrEqual(1);
    const again = await b.next('contact:offer', (o) => o.contact.id === created.body.id);
    expect(again.contact.queuedAt).toBe(offer.contact.queuedAt); // keeps its place
    expect((await b.emit('offer:accept', { offerId: again.offerId })).ok).toBe(true);
    const row = await contactRow(stack.app, created.body.id);
    expect(row).toMatchObject({ status: 'active', assigned_worker_id: st.operators[1].id });
    const token = await login(stack.url, st.operators[0].username);
    const back = await AgentClient.connect(stack.url, token);
    clients.push(back);
    expect(back.events).toHaveLength(0);
    const state = await back.emit('state:get');
    expect(state.state).toMatchObject({ presence: 'offline', contact: null, offer: null });
  });
});
