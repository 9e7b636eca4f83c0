import { Page } from 'playwright-core';
import { AgentClient, Stack, api, login } from '../support/stack';
import { ConsoleOrg, ConsoleRig, eventually, openPage, screenshot, signIn, startConsole } from './support';

// A real browser on a busy machine: each step waits up to 30 s for what it expects, so a test may take minutes.
jest.setTimeout(180_000);

/**
 * The coordinator's live board in real Chromium, fed by the /monitor socket: the waiting count of a station and of
 * the district rises as contacts arrive through the intake API and falls as operators take them.
 */
describe('console: coordinator board (Chromium)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let org: ConsoleOrg;
  let page: Page;
  let errors: string[];
  const agents: AgentClient[] = [];

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '60' }, [
      '北京街社工站',
      '人民街社工站',
      '东山街社工站',
      '农林街社工站',
    ]);
    ({ stack, org } = rig);
    ({ page, errors } = await openPage(rig.browser));
  });
  afterAll(async () => {
    agents.forEach((a) => a.close());
    await rig?.close();
  });

  it('shows the waiting count rise as contacts arrive and fall as they are taken', async () => {
    const [beijing, renmin, dongshan] = org.stations;
    const coordinator = await org.user('coordinator', org.districtId, '黄志强');
    const op1 = await org.user('operator', beijing.id, '陈晓明');
    const op2 = await org.user('operator', beijing.id, '李惠芳');
    const op3 = await org.user('operator', renmin.id, '张丽华');
    await org.user('operator', dongshan.id, '王建新');

    // Someone on duty at 人民街 (and busy with a call) so the board has more than one station with people.
    const a3 = await AgentClient.connect(stack.url, await login(stack.url, op3.username));
    agents.push(a3);
    await a3.available();
    const busyCall = await api(stack.url, 'POST', '/contacts', {
      key: org.intakeKey,
      body: { hotlineNumber: renmin.hotline, channel: 'phone', callerNumber: '13500002222' },
    });
    const offer3 = await a3.next('contact:offer', (o) => o.contact.id === busyCall.body.id);
    expect((await a3.emit('offer:accept', { offerId: offer3.offerId })).ok).toBe(true);

    await signIn(page, stack.url, coordinator.username, { landsOn: 'board' });
    const stationWaiting = page.getByTestId(`waiting-${beijing.id}`);
    const total = page.getByTestId('board-waiting-total');
    await stationWaiting.waitFor({ timeout: 30_000 });
    await expectNumber(stationWaiting, 0);
    await expectNumber(total, 0);

    // Three callers reach 北京街 while nobody there is on duty: the count rises.
    const ids: string[] = [];
    for (const [i, risk] of (['normal', 'high', 'critical'] as const).entries()) {
      const res = await api(stack.url, 'POST', '/contacts', {
        key: org.intakeKey,
        body: {
          hotlineNumber: beijing.hotline,
          channel: i === 1 ? 'wechat' : 'phone',
          callerNumber: `1381234000${i}`,
          riskLevel: risk,
        },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
      await expectNumber(stationWaiting, i + 1);
    }
    await expectNumber(total, 3);
    // The critical caller raised a risk alert for the district's coordinator.
    await eventually(
      async () => (await page.getByTestId('alerts').textContent())?.includes('危急来电'),
      30_000,
      'the risk alert',
    );
    await expectNumber(page.getByTestId(`waiting-${org.districtId}`), 3);

    // Two operators come on duty and take one each: the count falls.
    const a1 = await AgentClient.connect(stack.url, await login(stack.url, op1.username));
    const a2 = await AgentClient.connect(stack.url, await login(stack.url, op2.username));
    agents.push(a1, a2);
    await a1.available();
    const o1 = await a1.next('contact:offer');
    expect((await a1.emit('offer:accept', { offerId: o1.offerId })).ok).toBe(true);
    await expectNumber(stationWaiting, 2);
    await a2.available();
    const o2 = await a2.next('contact:offer');
    expect((await a2.emit('offer:accept', { offerId: o2.offerId })).ok).toBe(true);
    await expectNumber(stationWaiting, 1);
    await expectNumber(total, 1);
    await screenshot(page, 'coordinator-board');

    // The last one: the first operator finishes and takes it; the caller of the other hangs up before — nothing waits.
    await api(stack.url, 'POST', `/contacts/${o1.contact.id}/end`, { key: org.intakeKey });
    const out = await api(stack.url, 'POST', `/contacts/${o1.contact.id}/outcome`, {
      token: await login(stack.url, op1.username),
      body: { serviceTypes: ['emotional_support'], targetGroup: 'elderly', summary: '情绪支持', problems: [] },
    });
    expect(out.status).toBe(201);
    const o3 = await a1.next('contact:offer');
    expect((await a1.emit('offer:accept', { offerId: o3.offerId })).ok).toBe(true);
    await expectNumber(stationWaiting, 0);
    await expectNumber(total, 0);
    expect(new Set([o1.contact.id, o2.contact.id, o3.contact.id])).toEqual(new Set(ids));
    expect(errors).toEqual([]);
  });
});

async function expectNumber(locator: ReturnType<Page['getByTestId']>, n: number): Promise<void> {
  await eventually(async () => Number((await locator.textContent())?.trim()) === n, 30_000, `${n} on the board`);
}
