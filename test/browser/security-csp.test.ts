import { BrowserContext, Page } from 'playwright-core';
import { Stack, api, sleep } from '../support/stack';
import { ConsoleOrg, ConsoleRig, openPage, signIn, startConsole } from './support';

/**
 * The console under the gateway's Content-Security-Policy (issue 8), in real Chromium: every screen of an operator
 * (an offer ringing over the socket, with sound) and of a manager (live board, ECharts statistics, records, a CSV
 * download through a blob: URL), and the OpenAPI page, work without a single CSP violation, while an injected inline
 * script is refused.
 */
describe('console under the Content-Security-Policy (Chromium)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let org: ConsoleOrg;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  /** CSP violations the page reported (securitypolicyviolation events) and CSP messages of the browser console. */
  let violations: string[];

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '45' }, ['北京街社工站']);
    ({ stack, org } = rig);
  });
  beforeEach(async () => {
    ({ context, page, errors } = await openPage(rig.browser, (c) =>
      c.addInitScript(() => {
        // runs in the browser, before the console's own scripts
        const w = globalThis as any;
        w.__cspViolations = [];
        w.document.addEventListener('securitypolicyviolation', (e: any) =>
          w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
        );
      }),
    ));
    violations = [];
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
    });
  });
  afterEach(async () => {
    await context.close();
  });
  afterAll(async () => {
    await rig?.close();
  });

  const pageViolations = async () => [
    ...violations,
    ...((await page.evaluate(() => (globalThis as any).__cspViolations)) as string[]),
  ];

  /** Navigates inside the console (its own menu), waiting for the screen's marker. */
  const open = async (menuLabel: string, testId: string) => {
    await page.getByRole('menuitem', { name: menuLabel }).click();
    await page.getByTestId(testId).first().waitFor();
  };

  it('operator screens: sign-in, on duty over the socket, an offer ringing with sound, records — no violation', async () => {
    const operator = await org.user('operator', org.stations[0].id, '陈晓明');
    const response = await page.goto(`${stack.url}/console/`);
    expect(response!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await signIn(page, stack.url, operator.username, { landsOn: 'workspace' });
    await page.getByTestId('go-available').click();
    await page.getByText('在岗').first().waitFor();
    const created = await api(stack.url, 'POST', '/contacts', {
      key: org.intakeKey,
      body: { hotlineNumber: org.stations[0].hotline, channel: 'phone', callerNumber: '13812345678' },
    });
    expect(created.status).toBe(201);
    await page.getByTestId('offer').waitFor();
    await expect(page.locator('body').getAttribute('data-ringing')).resolves.toBe('sound');
    await page.getByTestId('offer-decline').click();
    await open('服务记录', 'records');
    await open('我的回访', 'follow-ups');

    expect(await pageViolations()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the OpenAPI page (/api/docs) renders under the same policy, without violations', async () => {
    await page.goto(`${stack.url}/api/docs`);
    await page.locator('.swagger-ui .info .title').first().waitFor();
    await page.locator('.opblock').first().waitFor();
    expect(await pageViolations()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('manager screens: board, statistics with charts, records, a CSV download — no violation; inline script refused', async () => {
    const manager = await org.user('manager', org.cityId, '黄主任');
    await signIn(page, stack.url, manager.username, { landsOn: 'stats' });
    await page.getByTestId('stats-table').waitFor();
    await page.locator('canvas').first().waitFor(); // ECharts drew
    const download = page.waitForEvent('download');
    await page.getByTestId('download-csv').click();
    await download;
    await open('实时看板', 'board');
    await open('服务记录', 'records');
    expect(await pageViolations()).toEqual([]);
    expect(errors).toEqual([]);

    // The policy is really enforced: an inline script (what an XSS would inject) does not run, and is reported.
    const ran = await page.evaluate(() => {
      const w = globalThis as any;
      const s = w.document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      w.document.head.appendChild(s);
      return w.__inlineRan === true;
    });
    expect(ran).toBe(false);
    for (let i = 0; i < 25 && !(await pageViolations()).some((v) => v.startsWith('script-src')); i++) await sleep(100);
    expect((await pageViolations()).some((v) => v.startsWith('script-src'))).toBe(true);
  });
});
