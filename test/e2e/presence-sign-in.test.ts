import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { TestStation, createStation } from '../support/fixtures';
import { ControllableClock, routerSettled } from '../support/clock';

/**
 * Presence after closing the browser (issue 14, item 8): a fresh sign-in starts off duty; a reload (a new socket of
 * the same sign-in) or a second tab keeps what the operator declared. The product's clock is a ControllableClock,
 * moved on between the steps so "before" and "after" never tie.
 */
describe('presence at sign-in', () => {
  let stack: Stack;
  let st: TestStation;
  const clients: AgentClient[] = [];
  const clock = new ControllableClock();
  const connect = async (token: string) => {
    const c = new AgentClient(stack.url, token);
    clients.push(c);
    return { client: c, state: await c.next('agent:state') };
  };
  const intake = () =>
    api(stack.url, 'POST', '/contacts', {
      key: st.intakeKey,
      body: { hotlineNumber: st.hotlineNumber, channel: 'phone' },
    });

  beforeAll(async () => {
    stack = await startStack({}, { clock });
  });
  beforeEach(async () => {
    st = await createStation(stack.app, 1);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  it('closing the browser on duty and signing in again starts off duty, and nothing is offered', async () => {
    const token = await login(stack.url, st.operators[0].username);
    const first = await connect(token);
    await first.client.available();
    clock.advance(1000);
    // a reload: a new socket of the same sign-in keeps the presence
    first.client.close();
    await sleep(200);
    clock.advance(1000);
    const reload = await connect(token);
    expect(reload.state.presence).toBe('available');
    reload.client.close();
    await sleep(200);

    // the browser closed; the next morning a fresh sign-in
    clock.advance(60_000);
    const fresh = await connect(await login(stack.url, st.operators[0].username));
    expect(fresh.state.presence).toBe('offline');
    await routerSettled(stack.app);
    await intake();
    await fresh.client.none('contact:offer', 500);
    // 上岗接听: now it rings
    await fresh.client.available();
    await fresh.client.next('contact:offer');
  });

  it('a second tab signed in while the first is still connected does not take the operator off duty', async () => {
    const first = await connect(await login(stack.url, st.operators[0].username));
    await first.client.available();
    clock.advance(1000);
    const second = await connect(await login(stack.url, st.operators[0].username));
    expect(second.state.presence).toBe('available');
  });
});
