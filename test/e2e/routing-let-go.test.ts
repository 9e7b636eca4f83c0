import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { TestTree, createTree } from '../support/fixtures';
import { ControllableClock, expireOfferNow, routerSettled, runDueTimers } from '../support/clock';

/**
 * A contact an operator lets go (declines, or lets the offer run out) rings the wider pool at once when nobody else
 * on duty at its level may still take it, and the operator is told truthfully what happens now (issue 14, item 1).
 * The product's clock stands still (ControllableClock): "at once" means before any overflow wait could run out.
 */
describe('routing: a contact let go', () => {
  let stack: Stack;
  let tree: TestTree;
  const clients: AgentClient[] = [];
  const clock = new ControllableClock();

  const onDuty = async (op: { username: string }) => {
    const c = await AgentClient.connect(stack.url, await login(stack.url, op.username));
    clients.push(c);
    await c.available();
    return c;
  };
  const intake = (station: keyof TestTree['stations']) =>
    api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations[station].hotline, channel: 'phone' },
    }).then((r) => {
      if (r.status !== 201) throw new Error(`intake ${r.status} ${r.text}`);
      return r.body as { id: string; queuedAt: string };
    });

  beforeAll(async () => {
    stack = await startStack(
      { OFFER_TIMEOUT_SECONDS: '20', OVERFLOW_DISTRICT_SECONDS: '30', OVERFLOW_REGION_SECONDS: '60' },
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

  it('declined by the one operator on duty at its station, it rings the district at once', async () => {
    const home = await onDuty(await tree.operator('a1s1'));
    const district = await onDuty(await tree.operator('a1s2'));
    await routerSettled(stack.app);
    const created = await intake('a1s1');
    const first = await home.next('contact:offer', (o) => o.contact.id === created.id);
    await district.none('contact:offer', 200); // its own station first
    const ack = await home.emit('offer:decline', { offerId: first.offerId });
    expect(ack).toEqual({ ok: true, next: { othersOnDuty: 1, waiting: 1 } });
    const second = await district.next('contact:offer', (o) => o.contact.id === created.id);
    expect(second.offerId).not.toBe(first.offerId);
    expect(clock.now().getTime() - Date.parse(created.queuedAt)).toBeLessThan(30_000); // no overflow wait ran out
    await home.none('contact:offer', 300);
  });

  it('skips the station only when everyone on duty there has let it go', async () => {
    const a = await onDuty(await tree.operator('a1s1'));
    const b = await onDuty(await tree.operator('a1s1'));
    const district = await onDuty(await tree.operator('a1s2'));
    await routerSettled(stack.app);
    const created = await intake('a1s1');
    const offers = await Promise.race([
      a.next('contact:offer').then((o) => ({ first: a, then: b, o })),
      b.next('contact:offer').then((o) => ({ first: b, then: a, o })),
    ]);
    expect((await offers.first.emit('offer:decline', { offerId: offers.o.offerId })).ok).toBe(true);
    const again = await offers.then.next('contact:offer', (o) => o.contact.id === created.id);
    await district.none('contact:offer', 200);
    // the second one lets it run out: now nobody on duty at the station may take it, so the district is rung
    await expireOfferNow(stack.app, again.offerId);
    const revoked = await offers.then.next('offer:revoked', (e) => e.offerId === again.offerId);
    expect(revoked).toMatchObject({ reason: 'timeout', next: { othersOnDuty: 2, waiting: 1 } });
    await district.next('contact:offer', (o) => o.contact.id === created.id);
  });

  it('with nobody else on duty in the city, says so, and the contact comes back to the same operator after the pause', async () => {
    const alone = await onDuty(await tree.operator('b1s1'));
    await routerSettled(stack.app);
    const created = await intake('b1s1');
    const first = await alone.next('contact:offer', (o) => o.contact.id === created.id);
    const ack = await alone.emit('offer:decline', { offerId: first.offerId });
    expect(ack).toEqual({ ok: true, next: { othersOnDuty: 0, waiting: 1 } });
    // not at once (LET_GO_PAUSE_SECONDS, 10 s by default): not on the decline's own routing, nor a moment later
    await routerSettled(stack.app);
    clock.advance(9_000);
    expect((await alone.emit('presence:set', { status: 'available' })).ok).toBe(true); // (a trigger of its own)
    await routerSettled(stack.app);
    await alone.none('contact:offer', 300);
    // the pause is over: the timer set at the decline routes it back here
    clock.advance(1_000);
    expect(await runDueTimers(stack.app, created.id)).toBeGreaterThanOrEqual(1);
    const back = await alone.next('contact:offer', (o) => o.contact.id === created.id);
    await expireOfferNow(stack.app, back.offerId);
    const revoked = await alone.next('offer:revoked', (e) => e.offerId === back.offerId);
    expect(revoked).toMatchObject({ reason: 'timeout', next: { othersOnDuty: 0, waiting: 1 } });
  });
});
