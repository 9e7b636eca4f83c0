import { Browser, BrowserContext, Page } from 'playwright-core';
import type { RiskAlertView } from '@kapok/contracts';
import { AgentClient, Stack, api, login } from '../support/stack';
import {
  ConsoleOrg,
  ConsoleRig,
  LAPTOP,
  PHONE,
  axeCheck,
  eventually,
  noSidewaysScroll,
  signIn,
  startConsole,
  watchErrors,
} from './support';

// A real browser on a busy machine: each step waits up to 30 s for what it expects, so a test may take minutes.
jest.setTimeout(300_000);

/**
 * Risk alerts (高危预警, issue 14 item 6) in real Chromium: work items kept on the server, not messages on a screen.
 * The header's button counts the open alerts on every page; the panel lists them with the person's wait growing
 * live, still there after a reload; 确认处理 with a note moves one to 历史 with who and when; a critical caller an
 * operator answers leaves 待处理 by itself and shows as 已接听; on a phone the panel is the screen's width, a text
 * contact reads 危急会话, an alert opens the station's live view, and 静音 is remembered; an admin sees the alerts but
 * does not acknowledge them.
 */
describe('console: risk alerts (Chromium)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let org: ConsoleOrg;
  const contexts: BrowserContext[] = [];
  const errors: string[][] = [];
  const agents: AgentClient[] = [];
  const created: string[] = [];

  /**
   * A fresh profile in Chinese at this size, in a browser set to UTC (the console shows Beijing time whatever the
   * browser's zone). bypassCSP: axe-core is injected as an inline script.
   */
  async function open(browser: Browser, viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({
      locale: 'zh-CN',
      timezoneId: 'UTC',
      viewport,
      bypassCSP: true,
    });
    context.setDefaultTimeout(30_000);
    contexts.push(context);
    const page = await context.newPage();
    errors.push(watchErrors(page));
    return page;
  }

  /** A critical contact at a station's hotline, through the intake API. */
  async function critical(station: number, channel: 'phone' | 'wechat' = 'phone'): Promise<string> {
    const res = await api(stack.url, 'POST', '/contacts', {
      key: org.intakeKey,
      body: {
        hotlineNumber: org.stations[station].hotline,
        channel,
        callerNumber: `1390000${String(1000 + created.length).slice(-4)}`,
        riskLevel: 'critical',
      },
    });
    expect(res.status).toBe(201);
    created.push(res.body.id);
    return res.body.id;
  }

  /** The alert the server keeps for a contact (GET /api/alerts as this person). */
  async function alertOf(token: string, contactId: string, state: 'open' | 'closed' = 'open'): Promise<RiskAlertView> {
    return eventually(
      async () => {
        const res = await api(stack.url, 'GET', `/alerts?state=${state}&pageSize=200`, { token });
        expect(res.status).toBe(200);
        return (res.body.items as RiskAlertView[]).find((a) => a.contactId === contactId);
      },
      30_000,
      `the ${state} alert of ${contactId}`,
    );
  }

  const count = (page: Page) => page.getByTestId('risk-alerts-button').getAttribute('data-count');
  const expectCount = (page: Page, n: number) =>
    eventually(async () => (await count(page)) === String(n), 30_000, `${n} open alerts on the button`);
  const waitOf = async (page: Page, id: string) =>
    Number(await page.getByTestId(`risk-alert-wait-${id}`).getAttribute('data-wait-seconds'));
  const panel = (page: Page) => page.locator('.kapok-risk-drawer');

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '60' }, ['北京街社工站', '人民街社工站']);
    ({ stack, org } = rig);
  });
  afterEach(async () => {
    agents.splice(0).forEach((a) => a.close());
    for (const c of contexts.splice(0)) await c.close();
    // callers still waiting hang up: nothing of one test is left in the next (answered ones are refused: 409)
    for (const id of created.splice(0)) await api(stack.url, 'POST', `/contacts/${id}/abandon`, { key: org.intakeKey });
    expect(errors.splice(0).flat()).toEqual([]);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('a supervisor at 1366×768: live wait, still there after a reload, acknowledged with a note, answered by an operator', async () => {
    const [beijing] = org.stations;
    const supervisor = await org.user('supervisor', beijing.id, '李督导');
    const operator = await org.user('operator', beijing.id, '陈晓明');
    const token = await login(stack.url, supervisor.username);

    const page = await open(rig.browser, LAPTOP);
    await signIn(page, stack.url, supervisor.username, { landsOn: 'board' });
    await expectCount(page, 0);

    // A critical caller reaches 北京街 while nobody is on duty: counted, announced, notified.
    const first = await critical(0);
    const alert = await alertOf(token, first);
    expect(alert).toMatchObject({ state: 'open', source: 'critical_contact', stationId: beijing.id });
    await expectCount(page, 1);
    await eventually(
      async () => (await page.getByTestId('risk-alert-announcement').textContent())?.includes('北京街社工站：危急来电'),
      30_000,
      'the announcement',
    );
    // the chime was tried: heard, or silent where the browser has no audio; never an error
    expect(['sound', 'silent']).toContain(await page.getByTestId('risk-alert-announcement').getAttribute('data-sound'));
    await page.getByTestId(`risk-alert-notice-${alert.id}`).waitFor();
    // the board's own list words it without a wait frozen at 0 s
    await eventually(
      async () => (await page.getByTestId('alerts').textContent())?.includes('危急来电'),
      30_000,
      'board',
    );
    expect(await page.getByTestId('alerts').textContent()).not.toContain('已等待');

    // The panel: the alert with its station, what raised it, the status, the wait growing every second.
    await page.getByTestId('risk-alerts-button').click();
    const item = page.getByTestId(`risk-alert-${alert.id}`);
    await item.waitFor();
    const text = await item.textContent();
    for (const words of ['北京街社工站', '危急来电', '电话', '排队中', '已等待', '北京时间'])
      expect(text).toContain(words);
    // raised at … in Beijing time, in a UTC browser
    expect(text).toContain(new Date(Date.parse(alert.raisedAt) + 8 * 3_600_000).toISOString().slice(11, 16));
    const w1 = await waitOf(page, alert.id);
    await page.waitForTimeout(3_500);
    const w2 = await waitOf(page, alert.id);
    expect(w2).toBeGreaterThanOrEqual(w1 + 2);
    expect(w2).toBeLessThan(w1 + 60);
    await axeCheck(page, 'risk alerts panel (open)');

    // A reload: the alert is the server's, so it is still there, and the wait went on.
    await page.reload();
    await page.getByTestId('current-user').waitFor();
    await expectCount(page, 1);
    await page.getByTestId('risk-alerts-button').click();
    await item.waitFor();
    expect(await waitOf(page, alert.id)).toBeGreaterThanOrEqual(w2);

    // 确认处理 with a note: gone from 待处理, in 历史 with who and when.
    await page.getByTestId(`risk-alert-ack-${alert.id}`).click();
    await page.getByTestId('risk-alert-ack-note').fill('已电话联系站点社工，安排回拨');
    await page.getByTestId('risk-alert-ack-submit').click();
    await item.waitFor({ state: 'detached' });
    await expectCount(page, 0);
    const acknowledged = await alertOf(token, first, 'closed');
    expect(acknowledged).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: { id: supervisor.id, name: '李督导' },
      acknowledgeNote: '已电话联系站点社工，安排回拨',
    });
    await panel(page).getByRole('tab', { name: '历史' }).click();
    const done = page.getByTestId(`risk-alert-history-${alert.id}`);
    await done.waitFor();
    const doneText = await done.textContent();
    expect(doneText).toContain('已确认处理');
    expect(doneText).toContain('确认人：李督导');
    expect(doneText).toContain('已电话联系站点社工，安排回拨');
    await axeCheck(page, 'risk alerts panel (history)');
    // the first caller hangs up: the operator coming on duty is offered the second one
    expect((await api(stack.url, 'POST', `/contacts/${first}/abandon`, { key: org.intakeKey })).status).toBe(200);

    // A second critical caller, answered by an operator: no event says so, the list is reloaded while they wait.
    await panel(page)
      .getByRole('tab', { name: /待处理/ })
      .click();
    const second = await critical(0);
    const alert2 = await alertOf(token, second);
    await expectCount(page, 1);
    const item2 = page.getByTestId(`risk-alert-${alert2.id}`);
    await item2.waitFor();
    const agent = await AgentClient.connect(stack.url, await login(stack.url, operator.username));
    agents.push(agent);
    await agent.available();
    const offer = await agent.next('contact:offer', (o) => o.contact.id === second);
    expect((await agent.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    await item2.waitFor({ state: 'detached', timeout: 30_000 });
    await expectCount(page, 0);
    expect(await alertOf(token, second, 'closed')).toMatchObject({ state: 'answered', operator: { name: '陈晓明' } });
    await panel(page).getByRole('tab', { name: '历史' }).click();
    const answered = page.getByTestId(`risk-alert-history-${alert2.id}`);
    await answered.waitFor();
    await expect(page.getByTestId(`risk-alert-state-${alert2.id}`).textContent()).resolves.toBe('已接听');
    expect(await answered.textContent()).toContain('接线社工：陈晓明');
    // a closed alert opens the contact's record
    await answered.getByRole('button', { name: '查看服务记录' }).click();
    const record = page.locator('.ant-drawer-content-wrapper').filter({ hasText: '服务记录详情' });
    await eventually(async () => (await record.textContent())?.includes('陈晓明'), 30_000, 'the record');
  });

  it('a coordinator on a 390×844 phone: full-width panel, 危急会话, the station’s live view, 静音 remembered; an admin only looks', async () => {
    const [, renmin] = org.stations;
    const coordinator = await org.user('coordinator', org.districtId, '黄志强');
    const token = await login(stack.url, coordinator.username);

    const page = await open(rig.browser, PHONE);
    await signIn(page, stack.url, coordinator.username, { landsOn: 'board' });
    await expectCount(page, 0);
    await noSidewaysScroll(page, 'board with the alerts button (phone)');

    const contact = await critical(1, 'wechat');
    const alert = await alertOf(token, contact);
    await expectCount(page, 1);
    await page.getByTestId('risk-alerts-button').click();
    const item = page.getByTestId(`risk-alert-${alert.id}`);
    await item.waitFor();
    const box = (await panel(page).locator('.ant-drawer-content-wrapper').boundingBox())!;
    expect(box.width).toBeGreaterThan(PHONE.width - 2);
    expect(box.width).toBeLessThanOrEqual(PHONE.width + 0.5); // (sub-pixel layout)
    const text = await item.textContent();
    for (const words of ['人民街社工站', '危急会话', '微信', '排队中']) expect(text).toContain(words);
    expect(text).not.toContain('危急来电');
    await noSidewaysScroll(page, 'risk alerts panel (phone)');
    await axeCheck(page, 'risk alerts panel (phone)');

    // 静音: remembered by the browser, across a reload; a new alert is then announced without the chime.
    await page.getByTestId('risk-alerts-mute').click();
    await expect(page.getByTestId('risk-alerts-mute').getAttribute('aria-pressed')).resolves.toBe('true');
    await page.reload();
    await page.getByTestId('current-user').waitFor();
    await expectCount(page, 1);
    await page.getByTestId('risk-alerts-button').click();
    await expect(page.getByTestId('risk-alerts-mute').textContent()).resolves.toContain('已静音');
    const another = await critical(1);
    await alertOf(token, another);
    await expectCount(page, 2);
    await eventually(
      async () => (await page.getByTestId('risk-alert-announcement').getAttribute('data-sound')) === 'muted',
      30_000,
      'a muted alert',
    );

    // An admin sees the same open alerts, and is told who acknowledges them (no 确认处理).
    const admin = await org.user('admin', org.cityId, '系统管理员');
    const adminPage = await open(rig.browser, LAPTOP);
    await signIn(adminPage, stack.url, admin.username, { landsOn: 'board' });
    await expectCount(adminPage, 2);
    await adminPage.getByTestId('risk-alerts-button').click();
    await adminPage.getByTestId(`risk-alert-${alert.id}`).waitFor();
    expect(await panel(adminPage).textContent()).toContain('确认处理由协调员、督导或民政管理者进行');
    expect(await adminPage.getByTestId(`risk-alert-ack-${alert.id}`).count()).toBe(0);

    // The person still waits: the alert opens the station's live view on the board.
    await page.getByTestId(`risk-alert-open-${alert.id}`).click();
    await page.waitForURL('**/console/board');
    await page.getByTestId(`drill-down-${renmin.id}`).waitFor();
    await eventually(
      async () => (await page.getByTestId(`drill-contact-${contact}`).count()) > 0,
      30_000,
      'the waiting contact in the station’s live view',
    );
  });
});
