import { BrowserContext, Page } from 'playwright-core';
import { Stack, api, login } from '../support/stack';
import { ConsoleOrg, ConsoleRig, eventually, openPage, signIn, startConsole } from './support';

jest.setTimeout(180_000);

// The callbacks of page.evaluate run in the browser; the tests' tsconfig has no DOM types.
const storage = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as any;
    const dump = (s: any) => Object.fromEntries(Object.keys(s).map((k) => [k, s.getItem(k)]));
    return {
      local: dump(g.localStorage) as Record<string, string>,
      session: dump(g.sessionStorage) as Record<string, string>,
    };
  });
const draftKeys = (s: { local: Record<string, string> }) =>
  Object.keys(s.local).filter((k) => k.startsWith('kapok.draft.'));

/**
 * What the console leaves behind on a shared workstation: the token only in this tab's sessionStorage, revoked on the
 * server at sign-out; outcome drafts (summary, psychological risk) gone at sign-out and when someone else signs in;
 * and a session revoked elsewhere signs the tab out at once.
 */
describe('console: sign-in sessions on a shared workstation (Chromium)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let org: ConsoleOrg;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '45' }, ['洪桥街社工站']);
    ({ stack, org } = rig);
  });
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

  it('keeps the token in the tab only, and sign-out revokes it and removes every draft', async () => {
    const operator = await org.user('operator', org.stations[0].id, '黄嘉欣');
    // What a previous shift left on this browser: an old console's token and someone else's half-written record.
    await page.goto(`${stack.url}/console/`);
    await page.evaluate(() => {
      const g = globalThis as any;
      g.localStorage.setItem('kapok.session', JSON.stringify({ token: 'old-token', user: { id: 'x' } }));
      g.localStorage.setItem(
        'kapok.draft.00000000-0000-4000-8000-000000000001.c1',
        JSON.stringify({ draft: { summary: '别人的草稿' }, savedAt: new Date().toISOString() }),
      );
    });
    await page.reload();
    await page.getByTestId('login-username').waitFor();
    expect((await storage(page)).local['kapok.session']).toBeUndefined();

    await signIn(page, stack.url, operator.username, { landsOn: 'workspace' });
    let s = await storage(page);
    const token = JSON.parse(s.session['kapok.session']).token as string;
    expect(token).toEqual(expect.any(String));
    expect(s.local['kapok.session']).toBeUndefined();
    expect(draftKeys(s)).toEqual([]); // the other person's draft went at sign-in

    // A contact with a half-written record.
    await page.getByTestId('go-available').click();
    const created = await api(stack.url, 'POST', '/contacts', {
      key: org.intakeKey,
      body: { hotlineNumber: org.stations[0].hotline, channel: 'chat' },
    });
    expect(created.status).toBe(201);
    await page.getByTestId('offer-accept').click();
    await page.getByTestId('active-contact').waitFor();
    await page.getByTestId('summary').fill('来电者情绪低落，有轻生念头，已做风险评估。');
    await eventually(async () => draftKeys(await storage(page)).length === 1, 10_000, 'the draft to be saved');
    expect((await api(stack.url, 'GET', '/me', { token })).status).toBe(200);

    await page.getByRole('button', { name: /退出登录/ }).click();
    await page.getByTestId('login-username').waitFor();
    s = await storage(page);
    expect(s.session['kapok.session']).toBeUndefined();
    expect(draftKeys(s)).toEqual([]);
    // Revoked on the server, not just forgotten by the browser.
    await eventually(
      async () => (await api(stack.url, 'GET', '/me', { token })).status === 401,
      10_000,
      'the token to be revoked',
    );
  });

  it('a session revoked elsewhere signs the tab out at once', async () => {
    const operator = await org.user('operator', org.stations[0].id, '梁志强');
    await signIn(page, stack.url, operator.username, { landsOn: 'workspace' });
    await page.getByTestId('go-available').waitFor();
    await eventually(
      async () => !((await page.getByTestId('presence').textContent()) ?? '').includes('连接中'),
      10_000,
      'the socket',
    );

    // From another workstation: list my sessions and revoke the console's.
    const elsewhere = await login(stack.url, operator.username);
    const list = await api(stack.url, 'GET', '/auth/sessions', { token: elsewhere });
    const consoleSession = list.body.find((x: { current: boolean }) => !x.current);
    expect(consoleSession.userAgent).toMatch(/Chrom/);
    expect((await api(stack.url, 'DELETE', `/auth/sessions/${consoleSession.id}`, { token: elsewhere })).status).toBe(
      204,
    );

    await page.getByTestId('login-username').waitFor({ timeout: 15_000 });
    await page.getByText('此登录已被注销，请重新登录').waitFor();
    expect((await storage(page)).session['kapok.session']).toBeUndefined();
  });
});
