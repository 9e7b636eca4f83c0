import { BrowserContext, Page } from 'playwright-core';
import { api, login } from '../support/stack';
import { contactRow } from '../support/fixtures';
import {
  ConsoleOrg,
  ConsoleRig,
  eventually,
  newContext,
  screenshot,
  signIn,
  startConsole,
  watchErrors,
} from './support';

// A real browser on a busy machine: each step waits up to 30 s for what it expects, so the test takes minutes.
jest.setTimeout(420_000);

/**
 * Conversations end to end in Chromium, with separate browser profiles: a person on the web chat /chat/<line> at
 * a phone's size (390×844) and social workers in the console. Queue position, the offer with the first message,
 * accept, messages both ways in order with their read marks, a reload on each side mid-conversation (same
 * conversation, no duplicates), a transfer to a supervisor with a note, the end, the outcome and the transcript in
 * the record.
 */
describe('web chat and the console (Chromium)', () => {
  let rig: ConsoleRig;
  let org: ConsoleOrg;
  let url: string;
  const contexts: BrowserContext[] = [];
  const errors: string[][] = [];
  /** Content-Security-Policy violations any page reported (the gateway's CSP applies to the web chat too). */
  const violations: string[] = [];
  let operator: { id: string; username: string };
  let supervisor: { id: string; username: string };

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '60' }, ['北京街社工站']);
    org = rig.org;
    url = rig.stack.url;
    operator = await org.user('operator', org.stations[0].id, '陈晓明');
    supervisor = await org.user('supervisor', org.stations[0].id, '黄督导');
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await rig?.close();
  });
  afterEach(() => {
    for (const e of errors) expect(e).toEqual([]);
    expect(violations).toEqual([]);
  });

  async function open(opts: { phone?: boolean } = {}): Promise<Page> {
    const context = opts.phone
      ? await rig.browser.newContext({
          locale: 'zh-CN',
          timezoneId: 'Asia/Shanghai',
          viewport: { width: 390, height: 844 },
          isMobile: true,
          hasTouch: true,
          deviceScaleFactor: 2,
        })
      : await newContext(rig.browser);
    context.setDefaultTimeout(30_000);
    contexts.push(context);
    await context.addInitScript(() => {
      // runs in the browser, before the page's own scripts
      const w = globalThis as any;
      w.document.addEventListener('securitypolicyviolation', (e: any) =>
        console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    const page = await context.newPage();
    errors.push(watchErrors(page));
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) violations.push(m.text());
    });
    return page;
  }

  const text = async (page: Page, testId: string) => (await page.getByTestId(testId).first().textContent()) ?? '';
  const until = (page: Page, testId: string, expected: string) =>
    eventually(async () => (await text(page, testId)).includes(expected), 30_000, `${testId} to show ${expected}`);
  /** The texts of the messages a page shows, in order (`data-from` says whose). */
  const messages = (page: Page, testId: string, textSelector: string) =>
    page
      .getByTestId(testId)
      .evaluateAll(
        (els: any[], sel: string) =>
          els.map((e) => `${e.getAttribute('data-from')}:${(e.querySelector(sel) ?? e).textContent}`),
        textSelector,
      );
  const intake = (body: Record<string, unknown>) =>
    api(url, 'POST', '/contacts', { key: org.intakeKey, body: { hotlineNumber: org.stations[0].hotline, ...body } });

  it('a person chats with a social worker, is transferred to a supervisor, ends; the record has the transcript', async () => {
    const line = org.stations[0].hotline;
    // Someone is already waiting at the station (nobody is on duty yet).
    const earlier = await intake({ channel: 'chat', externalId: `earlier-${Date.now()}` });
    expect(earlier.status).toBe(201);

    // ---- the person opens the web chat on a phone: privacy note and consent first
    const person = await open({ phone: true });
    const scripts: Promise<number>[] = [];
    person.on('response', (r) => {
      if (r.url().endsWith('.js')) scripts.push(r.body().then((b) => b.length));
    });
    const served = await person.goto(`${url}/chat/${encodeURIComponent(line)}`);
    expect(served!.headers()['content-security-policy']).toContain("script-src 'self'");
    await person.getByTestId('chat-intro').waitFor();
    // its own small bundle: React and socket.io, none of the console's antd or charts (those are megabytes)
    const scriptBytes = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
    expect(scriptBytes).toBeGreaterThan(0);
    expect(scriptBytes).toBeLessThan(500_000);
    expect(await text(person, 'chat-privacy')).toContain('加密保存');
    expect(await person.getByTestId('chat-start').isDisabled()).toBe(true);
    // the page fits the phone's width (no horizontal scrolling)
    const width = await person.evaluate(() => (globalThis as any).document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await person.getByTestId('chat-consent').check();
    await person.getByRole('button', { name: '情绪困扰' }).click();
    await person.getByTestId('chat-start').click();

    // ---- in the queue: one ahead, and the person writes while waiting
    await until(person, 'chat-queue', '已排队，前面还有 1 人');
    await person.getByTestId('chat-input').fill('你好，我最近总是睡不着，很焦虑。');
    await person.getByTestId('chat-send').click();
    await eventually(
      async () => (await text(person, 'chat-messages')).includes('已送达'),
      30_000,
      'the first message to be stored',
    );
    const contactId = await person.evaluate(
      (l) => JSON.parse((globalThis as any).localStorage.getItem(`kapok.chat.${l}`)).contactId as string,
      line,
    );
    expect((await contactRow(rig.stack.app, contactId))!.channel).toBe('chat');
    // the one ahead leaves: the position follows
    expect((await api(url, 'POST', `/contacts/${earlier.body.id}/abandon`, { key: org.intakeKey })).status).toBe(200);
    await until(person, 'chat-queue', '前面还有 0 人');
    await screenshot(person, 'web-chat-queue');

    // ---- the operator goes on duty: the offer shows the first message
    const desk = await open();
    await signIn(desk, url, operator.username, { landsOn: 'workspace' });
    await desk.getByTestId('go-available').click();
    await desk.getByTestId('offer').waitFor();
    expect(await text(desk, 'offer')).toContain('新会话等待接入');
    expect(await text(desk, 'offer-first-message')).toContain('我最近总是睡不着');
    expect(await text(desk, 'offer')).not.toContain('来电号码');
    await desk.getByTestId('offer-accept').click();
    await desk.getByTestId('active-conversation').waitFor();
    await until(desk, 'contact-status', '会话中');
    await until(desk, 'conversation-messages', '我最近总是睡不着');
    await until(person, 'chat-talking', '社工已接入');

    // ---- messages both ways, in order, with read marks
    // the operator had the message on screen: the person sees it read
    await until(person, 'chat-read-state', '已读');
    await desk.getByTestId('conversation-input').fill('你好，我是社工小陈。睡不着有多久了？');
    await desk.getByTestId('conversation-send').click();
    await until(person, 'chat-messages', '睡不着有多久了');
    await until(desk, 'message-read-state', '已读');
    for (const t of ['大概两个星期了。', '白天上课也没精神。']) {
      await person.getByTestId('chat-input').fill(t);
      await person.getByTestId('chat-input').press('Enter');
    }
    await until(desk, 'conversation-messages', '白天上课也没精神');
    const expected = [
      'caller:你好，我最近总是睡不着，很焦虑。',
      'operator:你好，我是社工小陈。睡不着有多久了？',
      'caller:大概两个星期了。',
      'caller:白天上课也没精神。',
    ];
    const onDesk = async () =>
      (await messages(desk, 'conversation-message', '.kapok-chat-bubble')).filter((m) => !m.startsWith('system'));
    const onPhone = async () =>
      (await messages(person, 'chat-message', '.chat-bubble-text')).filter((m) => !m.startsWith('system'));
    await eventually(async () => JSON.stringify(await onDesk()) === JSON.stringify(expected), 30_000, 'desk order');
    await eventually(async () => JSON.stringify(await onPhone()) === JSON.stringify(expected), 30_000, 'phone order');
    await screenshot(person, 'web-chat-conversation');
    await screenshot(desk, 'operator-chat');

    // ---- a reload on each side: the same conversation, nothing twice
    await person.reload();
    await person.getByTestId('chat-messages').waitFor();
    await eventually(async () => JSON.stringify(await onPhone()) === JSON.stringify(expected), 30_000, 'phone reload');
    expect(await person.getByTestId('chat-intro').count()).toBe(0);
    await desk.reload();
    await desk.getByTestId('active-conversation').waitFor();
    await eventually(async () => JSON.stringify(await onDesk()) === JSON.stringify(expected), 30_000, 'desk reload');
    // and the conversation goes on after both reloads
    await person.getByTestId('chat-input').fill('刷新之后还在吗？');
    await person.getByTestId('chat-send').click();
    await until(desk, 'conversation-messages', '刷新之后还在吗');
    await desk.getByTestId('conversation-input').fill('我还在，我们继续。');
    await desk.getByTestId('conversation-input').press('Enter');
    await until(person, 'chat-messages', '我还在，我们继续');
    expect((await onPhone()).length).toBe(expected.length + 2);

    // ---- the station's 常用语 (kept on the server by its coordinator): picked into the composer and sent
    const coordinator = await org.user('coordinator', org.stations[0].id, '何协调');
    const phrases = await api(url, 'PUT', `/stations/${org.stations[0].id}/quick-replies`, {
      token: await login(url, coordinator.username),
      body: { phrases: ['本站常用语：您可以随时告诉我您的感受。'] },
    });
    expect(phrases.status).toBe(200);
    await desk.reload(); // (the list is read when the conversation opens)
    await desk.getByTestId('active-conversation').waitFor();
    await desk.getByTestId('quick-replies').click();
    await desk.getByText('本站常用语：您可以随时告诉我您的感受。').click();
    await expect(desk.getByTestId('conversation-input').inputValue()).resolves.toBe(
      '本站常用语：您可以随时告诉我您的感受。',
    );
    await desk.getByTestId('conversation-send').click();
    await until(person, 'chat-messages', '您可以随时告诉我您的感受');

    // ---- a supervisor watches silently and whispers to the operator; the person never sees a whisper
    const boss = await open();
    await signIn(boss, url, supervisor.username);
    await boss.getByRole('menuitem', { name: '会话督导' }).click();
    await boss.waitForURL('**/console/supervise');
    await boss.getByTestId('watch-conversation').first().click();
    await until(boss, 'watch-messages', '我还在，我们继续');
    await boss.getByTestId('whisper-input').fill('可以评估一下有没有自伤的想法。');
    await boss.getByTestId('whisper-send').click();
    await until(desk, 'conversation-messages', '可以评估一下有没有自伤的想法');
    expect((await onDesk()).filter((m) => m.startsWith('whisper:'))).toEqual([
      'whisper:可以评估一下有没有自伤的想法。',
    ]);
    await desk.getByTestId('conversation-input').fill('想问问你，最近有没有伤害自己的念头？');
    await desk.getByTestId('conversation-send').click();
    await until(person, 'chat-messages', '有没有伤害自己的念头');
    await until(boss, 'watch-messages', '有没有伤害自己的念头');
    expect(await text(person, 'chat-messages')).not.toContain('自伤');

    // ---- transfer to a supervisor, with a note
    await desk.getByTestId('transfer-open').click();
    await desk.getByTestId('transfer-dialog').waitFor();
    await desk.getByTestId('transfer-kind').getByText('督导（高风险）').click();
    await desk.getByTestId('transfer-note-input').fill('失眠两周、焦虑明显，请督导继续跟进。');
    await desk.getByTestId('transfer-submit').click();
    await desk.getByTestId('idle').waitFor();
    await eventually(async () => (await contactRow(rig.stack.app, contactId))?.status === 'queued', 30_000, 'queued');
    await until(person, 'chat-queue', '已排队');

    await boss.getByRole('menuitem', { name: '接线工作台' }).click();
    await boss.waitForURL('**/console/workspace');
    await boss.getByTestId('go-available').click();
    await boss.getByTestId('offer').waitFor();
    expect(await text(boss, 'offer-transfer-note')).toContain('失眠两周、焦虑明显');
    await boss.getByTestId('offer-accept').click();
    await boss.getByTestId('active-conversation').waitFor();
    expect(await text(boss, 'transfer-note')).toContain('失眠两周、焦虑明显');
    // the whole conversation came with it
    await until(boss, 'conversation-messages', '我还在，我们继续');
    expect(await text(boss, 'conversation-messages')).toContain('你好，我最近总是睡不着');
    await until(person, 'chat-talking', '社工已接入');
    await boss.getByTestId('conversation-input').fill('你好，我是督导，接下来由我陪你聊。');
    await boss.getByTestId('conversation-send').click();
    await until(person, 'chat-messages', '接下来由我陪你聊');

    // ---- the person ends it; the supervisor records the outcome
    await person.getByTestId('chat-end').click();
    await person.getByTestId('chat-end-confirm').click();
    await person.getByTestId('chat-ended').waitFor();
    await until(boss, 'contact-status', '整理记录');
    const form = boss.getByTestId('outcome-form');
    await form.getByLabel('情绪支持').check();
    await form.getByLabel('儿童').check();
    await boss
      .getByTestId('summary')
      .fill('学生失眠两周伴焦虑，经文字会话倾听安抚，建议规律作息，必要时转介心理咨询。');
    await boss.getByTestId('submit-outcome').click();
    await boss.getByTestId('idle').waitFor();
    await eventually(async () => (await contactRow(rig.stack.app, contactId))?.status === 'completed', 30_000, 'done');
    // the person's page kept nothing: a new visit starts afresh
    await person.reload();
    await person.getByTestId('chat-intro').waitFor();

    // ---- the record links to its transcript
    await boss.getByRole('menuitem', { name: '服务记录' }).click();
    await boss.waitForURL('**/console/records');
    const row = boss
      .locator('[data-testid="records"] tr.ant-table-row')
      .filter({ hasText: '在线咨询' })
      .filter({ hasText: '已完成' })
      .first();
    await row.waitFor();
    await row.click();
    await boss.getByTestId('record-transcript').waitFor();
    await boss.getByTestId('transcript-open').click();
    await until(boss, 'transcript-messages', '接下来由我陪你聊');
    const transcript = await boss.getByTestId('transcript-message').allTextContents();
    expect(transcript.filter((t) => t.includes('大概两个星期了')).length).toBe(1);
    expect(transcript.findIndex((t) => t.includes('你好，我最近总是睡不着'))).toBeLessThan(
      transcript.findIndex((t) => t.includes('刷新之后还在吗')),
    );
    expect(await text(boss, 'transcript-messages')).toContain('失眠两周、焦虑明显');
  });

  it('says so when the line is unknown, and starts afresh when the kept resume token no longer opens anything', async () => {
    const person = await open({ phone: true });
    await person.goto(`${url}/chat/020-0000-0000`);
    await person.getByTestId('chat-consent').check();
    await person.getByTestId('chat-start').click();
    await until(person, 'chat-notice', '找不到这条热线');
    expect(await person.getByTestId('chat-intro').count()).toBe(1);

    const line = org.stations[0].hotline;
    await person.evaluate(
      (l) =>
        (globalThis as any).localStorage.setItem(
          `kapok.chat.${l}`,
          JSON.stringify({ resumeToken: 'not-a-real-token', conversationId: 'x', contactId: 'y', outbox: [] }),
        ),
      line,
    );
    await person.goto(`${url}/chat/${encodeURIComponent(line)}`);
    await until(person, 'chat-notice', '之前的会话已结束或已失效');
    await person.getByTestId('chat-intro').waitFor();
    const kept = await person.evaluate((l) => (globalThis as any).localStorage.getItem(`kapok.chat.${l}`), line);
    expect(kept).toBeNull();
  });
});
