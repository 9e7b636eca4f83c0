import { BrowserContext, Page } from 'playwright-core';
import { Db } from '../../libs/database/src';
import { AgentClient, Stack, api, login } from '../support/stack';
import { contactRow } from '../support/fixtures';
import { ConsoleOrg, ConsoleRig, eventually, openPage, screenshot, signIn, startConsole } from './support';

// A real browser on a busy machine: each step waits up to 30 s for what it expects, so a test may take minutes.
jest.setTimeout(180_000);

/**
 * The operator workspace in real Chromium: sign in, go on duty, an offer made through the intake API rings,
 * accept, the outcome form (client validation, every block), wrap-up, submit → the contact is completed; and a
 * half-written record survives a dropped connection and a page reload.
 */
describe('console: operator workspace (Chromium)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let org: ConsoleOrg;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let operator: { id: string; username: string };
  let colleague: { id: string; username: string };

  const intake = (body: Record<string, unknown>) =>
    api(stack.url, 'POST', '/contacts', {
      key: org.intakeKey,
      body: { hotlineNumber: org.stations[0].hotline, channel: 'phone', ...body },
    });

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '45' }, ['北京街社工站']);
    ({ stack, org } = rig);
    operator = await org.user('operator', org.stations[0].id, '陈晓明');
    colleague = await org.user('operator', org.stations[0].id, '李惠芳');
  });

  /** The caller rang six days ago: a colleague took it, asked for rice and a callback (the caller's history). */
  async function earlierCall(callerNumber: string): Promise<string> {
    const token = await login(stack.url, colleague.username);
    const agent = await AgentClient.connect(stack.url, token);
    try {
      await agent.available();
      const created = await intake({ callerNumber, externalId: `earlier-${Date.now()}` });
      const offer = await agent.next('contact:offer', (o) => o.contact.id === created.body.id);
      expect((await agent.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
      await api(stack.url, 'POST', `/contacts/${created.body.id}/end`, { key: org.intakeKey });
      const out = await api(stack.url, 'POST', `/contacts/${created.body.id}/outcome`, {
        token,
        body: {
          serviceTypes: ['material_aid', 'emotional_support'],
          targetGroup: 'elderly',
          summary: '独居老人反映家中米油不足、腿脚不便，情绪低落。已申请物资并约定回访。',
          materialAid: { items: [{ category: 'food', description: '大米 10kg', quantity: 1 }] },
          problems: [{ category: 'basic_living', resolution: 'referred' }],
          followUp: { dueAt: new Date(Date.now() + 2 * 86_400_000).toISOString(), note: '确认米油送达' },
        },
      });
      expect(out.status).toBe(201);
      await agent.emit('presence:set', { status: 'offline' });
      const back = (ms: number) => new Date(Date.now() - 6 * 86_400_000 + ms).toISOString();
      await stack.app
        .get(Db)
        .run(
          'UPDATE contacts SET queued_at = $2, offered_at = $3, answered_at = $3, ended_at = $4, completed_at = $5 WHERE id = $1',
          [created.body.id, back(0), back(9_000), back(420_000), back(500_000)],
        );
      return created.body.id;
    } finally {
      agent.close();
    }
  }
  beforeEach(async () => {
    ({ context, page, errors } = await openPage(rig.browser));
  });
  afterEach(async () => {
    expect(errors).toEqual([]);
    await context.close();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('signs in, goes on duty, accepts a ringing offer, records the outcome and completes the contact', async () => {
    await earlierCall('13812345678');
    await signIn(page, stack.url, operator.username, { landsOn: 'workspace' });
    await page.getByTestId('go-available').click();
    await expectText(page, 'presence', '在岗');

    const created = await intake({
      callerNumber: '13812345678',
      externalId: `browser-${Date.now()}`,
      topics: ['独居老人', '生活物资'],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // The offer rings, with the caller's masked number and a countdown to expiresAt.
    const offer = page.getByTestId('offer');
    await offer.waitFor();
    await expect(offer.textContent()).resolves.toContain('138****5678');
    const countdown = Number((await page.getByTestId('offer-countdown').textContent())!.replace(/\D/g, ''));
    expect(countdown).toBeGreaterThan(30);
    expect(countdown).toBeLessThanOrEqual(45);
    await expect(page.title()).resolves.toMatch(/来电|红棉/);
    // It rings with sound (WebAudio, unlocked by the click on 上岗接听).
    await expect(page.locator('body').getAttribute('data-ringing')).resolves.toBe('sound');
    // Who is calling: the caller's earlier contact, with the aid still on its way.
    await eventually(
      async () => (await page.getByTestId('caller-history').textContent())?.includes('此前 1 次'),
      30_000,
      'the caller history',
    );
    await expect(page.getByTestId('caller-history').textContent()).resolves.toContain('米油不足');
    await screenshot(page, 'operator-offer');

    await page.getByTestId('offer-accept').click();
    await page.getByTestId('active-contact').waitFor();
    await expectText(page, 'contact-status', '通话中');
    expect(await offer.count()).toBe(0);
    await expect(page.locator('body').getAttribute('data-ringing')).resolves.toBeNull();
    expect((await contactRow(stack.app, id))!.status).toBe('active');

    // Client-side validation mirrors the server: nothing is sent while the record is incomplete.
    const form = page.getByTestId('outcome-form');
    await form.getByLabel('心理疏导').check();
    await form.getByLabel('物资保障').check();
    await page.getByTestId('submit-outcome').click();
    await page.getByTestId('error-targetGroup').waitFor();
    await expectText(page, 'error-summary', '请填写服务摘要');
    await expectText(page, 'error-riskAssessment', '风险评估');
    await expectText(page, 'error-aidItems', '至少填写一项物资');
    expect((await contactRow(stack.app, id))!.status).toBe('active');

    await form.getByLabel('老年人').check();
    await page
      .getByTestId('summary')
      .fill('独居老人来电，近期行动不便、米油将尽，情绪低落。已倾听安抚，安排街道社工站送米油上门，三天后回访。');
    await form.getByText('低风险').click();
    await form.getByLabel('积极倾听').check();
    await form.getByLabel('情绪安抚').check();
    await page.getByTestId('add-aid-item').click();
    await pickOption(page, 'aid-item-0-category', '食品');
    await page.getByTestId('aid-item-0-description').fill('大米 10kg、食用油 5L');
    await page.getByTestId('aid-item-0-quantity').fill('2');
    await page.getByTestId('add-problem').click();
    await pickOption(page, 'problem-0-category', '基本生活困难');
    await page.getByTestId('problem-0-resolution').getByText('已解决').click();
    await page.getByTestId('add-problem').click();
    await pickOption(page, 'problem-1-category', '心理情绪困扰');
    await page.getByTestId('problem-1-resolution').getByText('已转介').click();
    await page.getByTestId('follow-up-switch').click();
    const due = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    const dueText = `${due.getFullYear()}-${pad(due.getMonth() + 1)}-${pad(due.getDate())} 10:00`;
    const dueInput = page.getByTestId('follow-up-due');
    await dueInput.click();
    await dueInput.fill(dueText);
    await dueInput.press('Enter');
    await page.getByTestId('follow-up-note').fill('回访确认物资已送达，了解情绪状况。');
    await expect(page.getByTestId('draft-saved').textContent()).resolves.toContain('草稿已自动保存');

    // The caller hangs up: the conversation ends and the operator wraps up.
    await page.getByTestId('end-call').click();
    await expectText(page, 'contact-status', '整理记录');
    expect((await contactRow(stack.app, id))!.status).toBe('wrap_up');
    await screenshot(page, 'operator-workspace');

    await page.getByTestId('submit-outcome').click();
    await page.getByTestId('idle').waitFor();
    await expectText(page, 'presence', '在岗');

    const row = await eventually(
      async () => {
        const r = await contactRow(stack.app, id);
        return r?.status === 'completed' ? r : undefined;
      },
      5000,
      'the contact to be completed',
    );
    expect(row.completed_at).toBeTruthy();
    const read = await api(stack.url, 'GET', `/contacts/${id}`, { token: await login(stack.url, operator.username) });
    expect(read.body.status).toBe('completed');
    expect(read.body.outcome).toMatchObject({
      serviceTypes: ['psychological_support', 'material_aid'],
      targetGroup: 'elderly',
      psychological: { riskAssessment: 'low', interventions: ['active_listening', 'emotional_soothing'] },
      problems: [
        { category: 'basic_living', resolution: 'resolved' },
        { category: 'emotional', resolution: 'referred' },
      ],
    });
    expect(read.body.outcome.materialAid.items).toEqual([
      expect.objectContaining({ category: 'food', description: '大米 10kg、食用油 5L', quantity: 2 }),
    ]);
    const followUp = read.body.outcome.followUp;
    expect(followUp.note).toBe('回访确认物资已送达，了解情绪状况。');
    expect(new Date(followUp.dueAt).getTime()).toBe(new Date(`${dueText.replace(' ', 'T')}:00+08:00`).getTime());
    // The draft is gone once the server has the record.
    // (The callbacks of page.evaluate run in the browser; the tests' tsconfig has no DOM types.)
    const drafts = await page.evaluate(() =>
      Object.keys((globalThis as any).localStorage).filter((k) => k.startsWith('kapok.draft.')),
    );
    expect(drafts).toEqual([]);
  });

  it('lists the callback promised in that record and finds the record itself', async () => {
    await signIn(page, stack.url, operator.username);
    await page.getByRole('menuitem', { name: '我的回访' }).click();
    await page.waitForURL('**/console/follow-ups');
    await eventually(
      async () => (await page.getByTestId('follow-ups').textContent())?.includes('回访确认物资已送达'),
      30_000,
      'the follow-up',
    );

    await page.getByRole('menuitem', { name: '服务记录' }).click();
    await page.waitForURL('**/console/records');
    const row = page.locator('[data-testid="records"] tr.ant-table-row').filter({ hasText: '138****5678' }).first();
    await row.waitFor();
    await row.click();
    const drawer = page.getByRole('dialog');
    await eventually(
      async () => (await drawer.textContent())?.includes('安排街道社工站送米油上门'),
      30_000,
      'the record',
    );
    await expect(drawer.textContent()).resolves.toContain('大米 10kg、食用油 5L × 2');
  });

  it('keeps the half-written record through a dropped connection and a page reload', async () => {
    await signIn(page, stack.url, operator.username);
    await page.getByTestId('workspace').waitFor();
    // Still on duty from the first test (presence is the operator's, not the tab's).
    const presence = await eventually(
      async () => {
        const t = await page.getByTestId('presence').textContent();
        return t && !t.includes('连接中') ? t : undefined;
      },
      30_000,
      'the agent state',
    );
    if (!presence.includes('在岗')) await page.getByTestId('go-available').click();
    await expectText(page, 'presence', '在岗');

    const created = await intake({
      callerNumber: '13900001111',
      externalId: `browser-draft-${Date.now()}`,
      channel: 'chat',
    });
    const id = created.body.id as string;
    await page.getByTestId('offer-accept').click();
    await page.getByTestId('active-contact').waitFor();

    const form = page.getByTestId('outcome-form');
    await form.getByLabel('情绪支持').check();
    await form.getByLabel('儿童').check();
    await page.getByTestId('summary').fill('学生来电诉说考试压力，');

    // The network drops: the banner says so and the form keeps working.
    await context.setOffline(true);
    await page.getByTestId('offline-banner').waitFor();
    await page.getByTestId('summary').press('End');
    await page.getByTestId('summary').pressSequentially('已倾听并给予情绪支持。');
    await context.setOffline(false);
    await page.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: 30_000 });

    await page.reload();
    await page.getByTestId('active-contact').waitFor();
    await expect(page.getByTestId('summary').inputValue()).resolves.toBe(
      '学生来电诉说考试压力，已倾听并给予情绪支持。',
    );
    await expect(form.getByLabel('情绪支持').isChecked()).resolves.toBe(true);
    await expect(form.getByLabel('儿童').isChecked()).resolves.toBe(true);
    await expect(form.getByLabel('心理疏导').isChecked()).resolves.toBe(false);

    // And it can be finished after the reload (the chat still goes on: the console asks first).
    await page.getByTestId('submit-outcome').click();
    await page.getByTestId('confirm-end-submit').click();
    await page.getByTestId('idle').waitFor();
    const row = await eventually(
      async () => {
        const r = await contactRow(stack.app, id);
        return r?.status === 'completed' ? r : undefined;
      },
      5000,
      'the contact to be completed',
    );
    expect(row.status).toBe('completed');
    await page.getByTestId('go-offline').click();
    await expectText(page, 'presence', '离线');
  });
});

const pad = (n: number) => String(n).padStart(2, '0');

async function expectText(page: Page, testId: string, text: string): Promise<void> {
  const el = page.getByTestId(testId);
  await eventually(async () => (await el.textContent())?.includes(text), 30_000, `${testId} to contain ${text}`);
}

/** Opens an antd Select and picks the option with this label. */
async function pickOption(page: Page, testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: label }).first().click();
}
