import { Page } from 'playwright-core';
import { Db } from '../../libs/database/src';
import {
  AID_OUTCOME,
  HIGH_RISK_OUTCOME,
  OUTCOME,
  RecordsWorld,
  api,
  masked,
  answeredContact,
  recordedContact,
  recordsWorld,
  uniqueNumber,
} from '../e2e/records.support';
import { AgentClient, Stack } from '../support/stack';
import { ConsoleRig, eventually, openPage, pickUnit, screenshot, signIn, startConsole } from './support';

// A real browser on a busy machine: each step waits up to 30 s for what it expects.
jest.setTimeout(240_000);

/**
 * The screens for work on records that the API already did (issue 14), each driven in Chromium against the real
 * server: data made through the API, the action taken in the page, the server's state checked afterwards.
 * - 待复核: the supervisor's queue, high-risk first; a review without a comment;
 * - 服务记录: the operator amends a record (a new version, shown in the history) and reads the full number to call
 *   back, with a reason (audited);
 * - 物资申请: the delivering station arranges and delivers one request, cancels another with a reason;
 * - 今日概况 in the workspace (own figures of today, who else is on duty) and the board's drill-down into a station.
 */
describe('console: review queue, amendment, full number, aid requests (Chromium)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let w: RecordsWorld;

  beforeAll(async () => {
    rig = await startConsole({}, ['北京街社工站']);
    stack = rig.stack;
    w = await recordsWorld(stack);
  });
  const agents: AgentClient[] = [];
  afterAll(async () => {
    agents.forEach((a) => a.close());
    await rig?.close();
  });

  const record = async (token: string, id: string) => (await api(stack.url, 'GET', `/records/${id}`, { token })).body;
  const auditCount = async (action: string, contactId: string) =>
    (await stack.app
      .get(Db)
      .one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = $1 AND contact_id = $2`, [
        action,
        contactId,
      ]))!.n;

  async function open(page: Page, username: string, screen: string, landsOn: string) {
    await signIn(page, stack.url, username, { landsOn });
    await page.goto(`${stack.url}/console/${screen}`);
  }

  it('a supervisor reviews from the queue, high-risk first, without writing a comment', async () => {
    const low = await recordedContact(stack, w.tree, w.op1, OUTCOME);
    const high = await recordedContact(stack, w.tree, w.op2, HIGH_RISK_OUTCOME);
    const { page, errors, context } = await openPage(rig.browser);
    await open(page, w.sup.username, 'review-queue', 'board');

    const rows = page.locator('[data-testid^="queue-row-"]');
    await eventually(async () => (await rows.count()) >= 2, 30_000, 'the queue rows');
    const order = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order.indexOf(`queue-row-${high}`)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(`queue-row-${high}`)).toBeLessThan(order.indexOf(`queue-row-${low}`));
    await screenshot(page, 'review-queue');

    // Opened with the keyboard, reviewed with no comment.
    await page.getByTestId(`queue-row-${high}`).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('review-submit').click();
    await eventually(async () => (await record(w.sup.token, high)).reviewed, 30_000, 'the review on the server');
    const reviewed = await record(w.sup.token, high);
    expect(reviewed.reviews).toEqual([expect.objectContaining({ version: 1, reviewerId: w.sup.id, comment: null })]);
    expect(await auditCount('record.review', high)).toBe(1);
    // It leaves the queue; the other one stays.
    await page.locator('.ant-drawer-close').click();
    await page.getByTestId(`queue-row-${high}`).waitFor({ state: 'detached' });
    await page.getByTestId(`queue-row-${low}`).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an operator amends their record (a new version in the history) and reads the full number with a reason', async () => {
    const number = uniqueNumber();
    const id = await recordedContact(stack, w.tree, w.op1, OUTCOME, { callerNumber: number });
    const { page, errors, context } = await openPage(rig.browser);
    await open(page, w.op1.username, 'records', 'workspace');

    await page
      .locator('tr', { hasText: masked(number) })
      .first()
      .click();
    // The full number: a reason first; the read is in the audit log.
    await page.getByTestId('reveal-number').click();
    expect(await page.getByTestId('reveal-number-confirm').isDisabled()).toBe(true);
    await page.locator('.ant-modal').getByRole('combobox').click();
    await page.locator('.ant-select-item-option', { hasText: '回访来电者' }).first().click();
    await page.getByTestId('reveal-number-confirm').click();
    await eventually(async () => (await page.getByTestId('full-number').textContent())?.includes(number), 30_000);
    expect(await auditCount('caller_number.read', id)).toBe(1);
    await page.getByRole('button', { name: '关闭' }).last().click();

    // The amendment: the whole record as it should read now, with the reason.
    await page.getByTestId('amend-record').click();
    const form = page.getByTestId('amend-form');
    await form.getByTestId('summary').fill('独居老人情绪低落，倾听并安排回访；已联系社区网格员上门探访。');
    await page.getByTestId('amend-reason').fill('补充社区探访安排');
    await page.getByTestId('amend-save').click();
    await page.getByTestId('record-versions').waitFor();
    await page.getByTestId('version-2').waitFor();
    expect(await page.getByTestId('version-2').textContent()).toContain('补充社区探访安排');
    const after = await record(w.op1.token, id);
    expect(after.outcome).toMatchObject({ version: 2, summary: expect.stringContaining('社区网格员') });
    expect(after.versions.map((v: any) => v.version)).toEqual([1, 2]);
    expect(after.versions[1]).toMatchObject({ reason: '补充社区探访安排', changed: ['summary'], authorId: w.op1.id });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the delivering station arranges and delivers one aid request and cancels another with a reason', async () => {
    const first = await recordedContact(stack, w.tree, w.op1, AID_OUTCOME);
    const second = await recordedContact(stack, w.tree, w.op2, AID_OUTCOME);
    const aidOf = async (contactId: string) => (await record(w.op1.token, contactId)).aidRequests[0];
    const a1 = (await aidOf(first)).id as string;
    const a2 = (await aidOf(second)).id as string;
    const aid = async (id: string) => (await api(stack.url, 'GET', `/aid-requests/${id}`, { token: w.op1.token })).body;

    const { page, errors, context } = await openPage(rig.browser);
    await open(page, w.op1.username, 'aid-requests', 'workspace');
    const row1 = page.getByTestId(`aid-row-${a1}`);
    await row1.waitFor();
    await screenshot(page, 'aid-requests');

    await row1.getByTestId('aid-arrange').click();
    await page.getByTestId('aid-step-text').fill('明天上午由社工送达');
    await page.getByTestId('aid-step-confirm').click();
    await eventually(async () => (await aid(a1)).status === 'arranged', 30_000, 'arranged');
    await row1.getByTestId('aid-deliver').click();
    await page.getByTestId('aid-step-confirm').click();
    await eventually(async () => (await aid(a1)).status === 'delivered', 30_000, 'delivered');
    const delivered = await aid(a1);
    expect(delivered.steps.map((s: any) => s.to)).toEqual(['requested', 'arranged', 'delivered']);
    expect(delivered.steps[1]).toMatchObject({ actorId: w.op1.id, note: '明天上午由社工送达' });
    // Delivered requests leave the open list.
    await row1.waitFor({ state: 'detached' });

    const row2 = page.getByTestId(`aid-row-${a2}`);
    await row2.getByTestId('aid-cancel').click();
    expect(await page.getByTestId('aid-step-confirm').isDisabled()).toBe(true); // a reason is required
    await page.getByTestId('aid-step-text').fill('来电者已从亲属处获得物资');
    await page.getByTestId('aid-step-confirm').click();
    await eventually(async () => (await aid(a2)).status === 'cancelled', 30_000, 'cancelled');
    expect((await aid(a2)).cancelReason).toBe('来电者已从亲属处获得物资');

    // The history of a finished request, in the list of all.
    await page.getByTestId('aid-status-filter').click();
    await page.locator('.ant-select-item-option', { hasText: '全部' }).click();
    await page.getByTestId(`aid-row-${a1}`).locator('.ant-table-row-expand-icon').click();
    await page.getByTestId(`aid-steps-${a1}`).waitFor();
    expect(await page.getByTestId(`aid-steps-${a1}`).textContent()).toContain('已送达');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the operator's figures of today and who else is on duty, and the coordinator's drill-down", async () => {
    const station = w.tree.stations.a1s1.id;
    const colleague = await AgentClient.connect(stack.url, w.op2.token);
    agents.push(colleague);
    await colleague.available();
    const talker = await w.newOperator('a1s1');
    const live = await answeredContact(stack, w.tree, talker);

    const { page, errors, context } = await openPage(rig.browser);
    await signIn(page, stack.url, w.op1.username, { landsOn: 'workspace' });
    const panel = page.getByTestId('duty-panel');
    await panel.waitFor();
    const mine = (await api(stack.url, 'GET', `/stations/${station}/duty`, { token: w.op1.token })).body.operators.find(
      (o: any) => o.userId === w.op1.id,
    );
    await eventually(
      async () => (await page.getByTestId('duty-my-answered').textContent())?.includes(String(mine.today.answered)),
      30_000,
      "the operator's answered count",
    );
    await eventually(
      async () => (await page.getByTestId('duty-others').textContent())?.includes('空闲'),
      30_000,
      'the colleague on duty',
    );
    await context.close();

    const coordinator = await openPage(rig.browser);
    await signIn(coordinator.page, stack.url, w.coord.username, { landsOn: 'board' });
    await coordinator.page.getByTestId(`drill-${station}`).click();
    const drill = coordinator.page.getByTestId(`drill-down-${station}`);
    await drill.getByTestId(`drill-operator-${w.op2.id}`).waitFor();
    expect(await drill.getByTestId(`drill-operator-${w.op2.id}`).textContent()).toContain('空闲');
    await drill.getByTestId(`drill-operator-${talker.id}`).waitFor();
    expect(await drill.getByTestId(`drill-operator-${talker.id}`).textContent()).toContain('通话');
    await drill.getByTestId(`drill-contact-${live}`).waitFor();
    expect(await drill.getByTestId(`drill-contact-${live}`).textContent()).toContain('通话中');
    await screenshot(coordinator.page, 'board-drill-down');
    expect([...errors, ...coordinator.errors]).toEqual([]);
    await coordinator.context.close();
  });

  it("a supervisor reads the records' audit log: a full number read with its reason, opening the record", async () => {
    const id = await recordedContact(stack, w.tree, w.op1, OUTCOME);
    const read = await api(
      stack.url,
      'GET',
      `/contacts/${id}/caller-number?reason=${encodeURIComponent('核实送达地址')}`,
      {
        token: w.op1.token,
      },
    );
    expect(read.status).toBe(200);
    const entry = (
      await api(stack.url, 'GET', `/audit-log?action=caller_number.read&pageSize=100`, { token: w.sup.token })
    ).body.items.find((a: any) => a.contactId === id);
    expect(entry).toBeDefined();

    const { page, errors, context } = await openPage(rig.browser);
    await open(page, w.sup.username, 'record-audit', 'board');
    await page.getByTestId('record-audit-action').click();
    await page.locator('.ant-select-item-option', { hasText: '查看完整号码' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('record-audit-search').click();
    const row = page.getByTestId(`audit-row-${entry.id}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('原因：核实送达地址');
    expect(await row.textContent()).toContain('查看完整号码');
    await row.getByRole('button', { name: '查看记录' }).click();
    await page.getByTestId('review-action').waitFor(); // the record, reviewable from here

    // The new screens on a phone: one column, nothing wider than the screen (tables scroll inside their card).
    await page.setViewportSize({ width: 390, height: 844 });
    for (const screen of ['review-queue', 'record-audit', 'aid-requests']) {
      await page.goto(`${stack.url}/console/${screen}`);
      await page.getByTestId(screen).waitFor();
      const width = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the delivering station is chosen in the record form (here: amending a record whose aid is still requested)', async () => {
    const id = await recordedContact(stack, w.tree, w.op1, AID_OUTCOME);
    const { page, errors, context } = await openPage(rig.browser);
    await open(page, w.op1.username, 'records', 'workspace');
    const rowOf = async () => (await record(w.op1.token, id)).aidRequests[0];
    expect((await rowOf()).deliveringStationId).toBe(w.tree.stations.a1s1.id);
    const masked = (await record(w.op1.token, id)).callerNumberMasked as string;
    await page.locator('tr', { hasText: masked }).first().click();
    await page.getByTestId('amend-record').click();
    await page.getByTestId('amend-form').getByTestId('delivering-station').click();
    await page.locator('.ant-select-item-option', { hasText: '站a1s2' }).click();
    await page.getByTestId('amend-reason').fill('改由邻近社工站送达');
    await page.getByTestId('amend-save').click();
    await eventually(
      async () => (await rowOf()).deliveringStationId === w.tree.stations.a1s2.id,
      30_000,
      'the aid request moved to the chosen station',
    );
    expect((await rowOf()).status).toBe('requested');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a coordinator's roster grid lists the station's operators who have no shift yet", async () => {
    const newcomer = await w.newOperator('a1s1'); // no shift at all
    const units = (await api(stack.url, 'GET', '/org-units', { token: w.coord.token })).body;
    const stationName = units.find((u: any) => u.id === w.tree.stations.a1s1.id).name as string;
    const { page, errors, context } = await openPage(rig.browser);
    await open(page, w.coord.username, 'rosters', 'board');
    await pickUnit(page, 'roster-station', stationName);
    await page.getByTestId('roster-grid').waitFor();
    // createTree's people are named by their username
    await page
      .getByRole('button', { name: new RegExp(`^为${newcomer.username}添加`) })
      .first()
      .waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
