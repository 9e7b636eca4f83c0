import { Browser, BrowserContext, Page } from 'playwright-core';
import { Db } from '../../libs/database/src';
import { AgentClient, Stack, api, login } from '../support/stack';
import { contactRow } from '../support/fixtures';
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
jest.setTimeout(240_000);

/**
 * The console through a whole shift (issue 14), in Chromium at a laptop's 1366×768 and a phone's 390×844, with the
 * browser's time zone set to UTC: what happens when the one operator on duty declines, confirming the outcome during
 * a conversation, keyboard shortcuts, a fresh sign-in starting off duty, Beijing days and times in a UTC browser, no
 * sideways scrolling on a phone, and no serious accessibility violations (axe-core) on each page.
 */
describe('console: a whole shift (Chromium, UTC browser)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let org: ConsoleOrg;
  let operator: { id: string; username: string };
  let coordinator: { id: string; username: string };
  const contexts: BrowserContext[] = [];
  const errors: string[][] = [];

  /** A fresh profile in Chinese whose time zone is UTC (the browser), at this size. */
  async function open(browser: Browser, viewport: { width: number; height: number }): Promise<Page> {
    // (bypassCSP: axe-core is injected as an inline script; the console's own CSP is tested in security-csp)
    const context = await browser.newContext({
      locale: 'zh-CN',
      timezoneId: 'UTC',
      viewport,
      acceptDownloads: true,
      bypassCSP: true,
    });
    context.setDefaultTimeout(30_000);
    contexts.push(context);
    const page = await context.newPage();
    errors.push(watchErrors(page));
    return page;
  }

  const created: string[] = [];
  const intake = async (body: Record<string, unknown> = {}, station = 0) => {
    const res = await api(stack.url, 'POST', '/contacts', {
      key: org.intakeKey,
      body: { hotlineNumber: org.stations[station].hotline, channel: 'phone', callerNumber: '13812345678', ...body },
    });
    created.push(res.body.id);
    return res;
  };

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '60' }, ['北京街社工站', '人民街社工站']);
    ({ stack, org } = rig);
    operator = await org.user('operator', org.stations[0].id, '陈晓明');
    coordinator = await org.user('coordinator', org.districtId, '黄志强');
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
    // callers still waiting hang up: nothing of one test rings in the next (answered ones are refused: 409)
    for (const id of created.splice(0)) await api(stack.url, 'POST', `/contacts/${id}/abandon`, { key: org.intakeKey });
    expect(errors.splice(0).flat()).toEqual([]);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('alone on duty: declining says nobody else is on duty and the call comes back; shortcuts; confirm before submitting mid-call', async () => {
    const page = await open(rig.browser, LAPTOP);
    await signIn(page, stack.url, operator.username, { landsOn: 'workspace' });
    await expectText(page, 'presence', '离线'); // a fresh sign-in starts off duty
    await page.getByTestId('go-available').click();
    await expectText(page, 'presence', '在岗');
    await axeCheck(page, 'workspace');

    const created = await intake({ externalId: `shift-${Date.now()}` });
    const id = created.body.id as string;
    await page.getByTestId('offer').waitFor();
    // announced to screen readers, shortcuts shown on the buttons
    await expectText(page, 'ring-announcement', '来电振铃中');
    await expect(page.getByTestId('offer-accept').textContent()).resolves.toContain('Alt+A');
    await expect(page.getByTestId('offer-decline').textContent()).resolves.toContain('Alt+D');
    await axeCheck(page, 'workspace (ringing)');

    // Alt+D declines; alone on duty, the console says so (not "transferred to another operator")
    await page.keyboard.press('Alt+d');
    const notice = page.locator('.ant-message').getByText('当前没有其他社工在岗，稍后会再次转给您');
    await notice.waitFor();
    await expect(page.locator('.ant-message').textContent()).resolves.not.toContain('已转给其他');
    // … and it rings here again
    await page.getByTestId('offer').waitFor();
    await page.keyboard.press('Alt+a');
    await page.getByTestId('active-contact').waitFor();
    await expectText(page, 'contact-status', '通话中');
    expect((await contactRow(stack.app, id))!.status).toBe('active');

    const form = page.getByTestId('outcome-form');
    await form.getByLabel('情绪支持').check();
    await form.getByLabel('老年人').check();
    await page.getByLabel('服务摘要').fill('独居老人来电倾诉，已倾听安抚。');
    await axeCheck(page, 'workspace (outcome form)');

    // submitting while the call goes on asks first; 继续通话 leaves everything as it was
    await page.getByTestId('submit-outcome').click();
    const confirm = page.getByRole('dialog').filter({ hasText: '结束并提交？' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: '继续通话' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await contactRow(stack.app, id))!.status).toBe('active');
    await page.getByTestId('submit-outcome').click();
    await page.getByTestId('confirm-end-submit').click();
    await page.getByTestId('idle').waitFor();
    await eventually(async () => (await contactRow(stack.app, id))?.status === 'completed', 10_000, 'completed');

    // still on duty; the browser closes
    await expectText(page, 'presence', '在岗');
    await page.context().close();

    // the next sign-in starts off duty: nothing rings until 上岗接听
    const next = await open(rig.browser, LAPTOP);
    await signIn(next, stack.url, operator.username, { landsOn: 'workspace' });
    await expectText(next, 'presence', '离线');
    await intake({ externalId: `shift-next-${Date.now()}` });
    await next.waitForTimeout(1000);
    expect(await next.getByTestId('offer').count()).toBe(0);
    await next.getByTestId('go-available').click();
    await next.getByTestId('offer').waitFor();
    await next.getByTestId('offer-decline').click();
    await next.getByTestId('go-offline').click();
    await expectText(next, 'presence', '离线');
  });

  it('a UTC browser at 01:30 Beijing time shows that Beijing day: records, statistics and times in 北京时间', async () => {
    // A completed call at 01:20 Beijing time three days ago; the browser's clock reads 01:30 Beijing that day (the
    // previous day in UTC).
    const day = beijingDay(Date.now() - 3 * 86_400_000);
    const at = (hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`);
    const id = await completedCall(at('01:20'), at('01:21'), at('01:26'));

    const page = await open(rig.browser, LAPTOP);
    await page.clock.setFixedTime(at('01:30'));
    await signIn(page, stack.url, operator.username, { landsOn: 'workspace' });
    await expectText(page, 'beijing-clock', '北京时间 01:30');
    await page.getByRole('menuitem', { name: '服务记录' }).click();
    await page.waitForURL('**/console/records');
    const row = page.locator('[data-testid="records"] tr.ant-table-row').first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(`${day} 01:20`);
    await expect(page.locator('[data-testid="records"] th').first().textContent()).resolves.toContain('北京时间');
    // the row opens with the keyboard
    await row.focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog');
    await eventually(async () => (await drawer.textContent())?.includes(`${day} 01:20`), 30_000, 'the record');
    await page.keyboard.press('Escape');
    await axeCheck(page, 'records');
    void id;

    const board = await open(rig.browser, LAPTOP);
    await board.clock.setFixedTime(at('01:30'));
    await signIn(board, stack.url, coordinator.username, { landsOn: 'board' });
    await board.getByRole('menuitem', { name: '统计报表' }).click();
    await board.waitForURL('**/console/stats');
    await eventually(async () => (await board.getByTestId('total-contacts').textContent()) === '1', 30_000, 'figures');
    const [from, to] = await board
      .locator('[data-testid="stats"] .ant-picker-range input')
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(to).toBe(day);
    expect(from).toBe(`${day.slice(0, 8)}01`);
    await axeCheck(board, 'stats');
  });

  it('at 1366×768 the records keep 服务类型 readable and the board shows whole station names', async () => {
    await completedCall(new Date(Date.now() - 600_000), new Date(Date.now() - 590_000), new Date(Date.now() - 300_000));
    const page = await open(rig.browser, LAPTOP);
    await signIn(page, stack.url, coordinator.username, { landsOn: 'board' });
    await page.getByTestId(`waiting-${org.stations[0].id}`).waitFor();
    const nameCell = page
      .locator('tr', { has: page.getByTestId(`waiting-${org.stations[0].id}`) })
      .locator('td')
      .first();
    const name = nameCell.getByText('北京街社工站', { exact: true });
    const box = await name.boundingBox();
    expect(box!.width).toBeGreaterThan(60);
    // the whole name is on screen (not cut by an ellipsis)
    expect(await name.evaluate((e) => (e as any).scrollWidth <= (e as any).clientWidth + 1)).toBe(true);
    await axeCheck(page, 'board');

    await page.getByRole('menuitem', { name: '服务记录' }).click();
    const header = page.locator('[data-testid="records"] th', { hasText: '服务类型' });
    await header.waitFor();
    expect((await header.boundingBox())!.width).toBeGreaterThanOrEqual(150);
    const tag = page.locator('[data-testid="records"] tr.ant-table-row .ant-tag', { hasText: '情绪支持' }).first();
    await tag.waitFor();
    const t = (await tag.boundingBox())!;
    expect(t.height).toBeLessThan(30); // one line, not one character per line
  });

  it('on a 390×844 phone: menu in a drawer, one column, nothing wider than the screen', async () => {
    const page = await open(rig.browser, PHONE);
    await signIn(page, stack.url, operator.username, { landsOn: 'workspace' });
    await noSidewaysScroll(page, 'workspace');
    await page.getByTestId('go-available').click();
    await expectText(page, 'presence', '在岗');
    await intake({ externalId: `phone-${Date.now()}`, callerNumber: '13912345678' });
    await page.getByTestId('offer').waitFor();
    await noSidewaysScroll(page, 'workspace (ringing)');
    // the number on one line
    const number = page.getByTestId('offer').getByText('139****5678');
    expect((await number.boundingBox())!.height).toBeLessThan(30);
    await axeCheck(page, 'workspace (phone)');
    await page.getByTestId('offer-accept').click();
    await page.getByTestId('active-contact').waitFor();
    await noSidewaysScroll(page, 'workspace (call)');

    await page.getByTestId('open-menu').click();
    await page.getByRole('menuitem', { name: '服务记录' }).click();
    await page.waitForURL('**/console/records');
    await page.getByTestId('record-cards').waitFor();
    await noSidewaysScroll(page, 'records');
    await axeCheck(page, 'records (phone)');
    // a record opens in a drawer no wider than the phone (the call of the first test is one of the records)
    const card = page.locator('.kapok-record-card [role="button"]').first();
    await card.waitFor();
    await card.press('Enter');
    const drawer = page.locator('.ant-drawer-content-wrapper').filter({ hasText: '服务记录详情' });
    await drawer.waitFor();
    expect((await drawer.boundingBox())!.width).toBeLessThanOrEqual(PHONE.width + 0.5); // (sub-pixel layout)
    await page.keyboard.press('Escape');

    const board = await open(rig.browser, PHONE);
    await signIn(board, stack.url, coordinator.username, { landsOn: 'board' });
    await board.getByTestId(`waiting-${org.stations[0].id}`).waitFor();
    await noSidewaysScroll(board, 'board');
    const title = board.locator('.kapok-page-title');
    expect((await title.boundingBox())!.height).toBeLessThan(60); // not one character per line
    await axeCheck(board, 'board (phone)');
  });

  it('a page opened while the server is unreachable shows the console’s own offline page, and comes back', async () => {
    const page = await open(rig.browser, LAPTOP);
    await page.goto(`${stack.url}/console/`);
    await page.getByTestId('login-username').waitFor();
    // the service worker is installed with the offline page
    await page.evaluate(async () => {
      await (globalThis as any).navigator.serviceWorker.ready;
    });
    await page.context().setOffline(true);
    await page.goto(`${stack.url}/console/records`);
    await page.getByTestId('offline-page').waitFor();
    await expect(page.title()).resolves.toContain('无法连接服务器');
    await axeCheck(page, 'offline page');
    // the network is back: the page opens the console by itself
    await page.context().setOffline(false);
    await page.getByTestId('login-username').waitFor({ timeout: 30_000 });
  });

  /** A call answered by a colleague and completed, with its times set to these moments (by data, not the clock). */
  async function completedCall(queued: Date, answered: Date, completed: Date): Promise<string> {
    const colleague = await org.user('operator', org.stations[0].id, '李惠芳');
    const token = await login(stack.url, colleague.username);
    const agent = await AgentClient.connect(stack.url, token);
    try {
      await agent.available();
      const call = await intake({ externalId: `earlier-${Date.now()}`, callerNumber: '13700001111' });
      const offer = await agent.next('contact:offer', (o) => o.contact.id === call.body.id);
      expect((await agent.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
      await api(stack.url, 'POST', `/contacts/${call.body.id}/end`, { key: org.intakeKey });
      const out = await api(stack.url, 'POST', `/contacts/${call.body.id}/outcome`, {
        token,
        body: {
          serviceTypes: ['emotional_support', 'psychological_support', 'material_aid', 'policy_consultation'],
          targetGroup: 'elderly',
          summary: '老人夜间来电，情绪低落，已倾听安抚。',
          psychological: { riskAssessment: 'high', interventions: ['active_listening'] },
          materialAid: { items: [{ category: 'food', description: '大米', quantity: 1 }] },
          problems: [{ category: 'emotional', resolution: 'resolved' }],
        },
      });
      expect(out.status).toBe(201);
      await agent.emit('presence:set', { status: 'offline' });
      await stack.app
        .get(Db)
        .run(
          'UPDATE contacts SET queued_at = $2, offered_at = $2, answered_at = $3, ended_at = $4, completed_at = $4 WHERE id = $1',
          [call.body.id, queued, answered, completed],
        );
      return call.body.id;
    } finally {
      agent.close();
    }
  }
});

const beijingDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

async function expectText(page: Page, testId: string, text: string): Promise<void> {
  const el = page.getByTestId(testId);
  await eventually(async () => (await el.textContent())?.includes(text), 30_000, `${testId} to contain ${text}`);
}
