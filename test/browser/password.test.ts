import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { PASSWORD } from '../support/fixtures';
import { Stack, api, login } from '../support/stack';
import { ConsoleOrg, ConsoleRig, openPage, signIn, startConsole } from './support';

jest.setTimeout(240_000);

/**
 * Passwords in real Chromium (issue 11): after an admin resets a password in 账号管理, the person signs in with the
 * temporary one and sees nothing but the change-password screen — also after a reload or at another address —
 * until they choose a password the server's policy accepts (its reasons shown in Chinese); and anyone changes their
 * own password from the header (修改密码).
 */
describe('console: passwords (Chromium)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let org: ConsoleOrg;

  beforeAll(async () => {
    rig = await startConsole({}, ['北京街社工站']);
    ({ stack, org } = rig);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('after a reset, the person sees only the change-password screen until the new password passes the policy', async () => {
    const admin = await org.user('admin', org.cityId, '周敏');
    const operator = await org.user('operator', org.stations[0].id, '陈晓明');

    // The admin resets the operator's password: a temporary one, shown once.
    const a = await openPage(rig.browser);
    await a.page.setViewportSize({ width: 1366, height: 768 });
    await signIn(a.page, stack.url, admin.username, { landsOn: 'board' });
    await a.page.getByRole('menuitem', { name: '账号管理' }).click();
    await a.page.getByTestId('account-search').fill(operator.username);
    await a.page.getByTestId('account-search-submit').click();
    await a.page.getByTestId(`reset-${operator.username}`).click();
    await a.page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /重\s*置/ })
      .click();
    const temporary = (await a.page.getByTestId('temporary-password').textContent())!.trim();
    expect(temporary.length).toBeGreaterThanOrEqual(10);
    await shot(a.page, 'admin-reset-password');
    expect(a.errors).toEqual([]);
    await a.context.close();

    const { page, errors, context } = await openPage(rig.browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${stack.url}/console/`);
    await page.getByTestId('login-username').fill(operator.username);
    await page.getByTestId('login-password').fill(temporary);
    await page.getByTestId('login-submit').click();
    const forced = page.getByTestId('forced-password-change');
    await forced.waitFor();
    await shot(page, 'forced-password-change');

    // Nothing else is reachable: another address, a reload — the same screen, no menu.
    await page.goto(`${stack.url}/console/records`);
    await forced.waitFor();
    expect(await page.getByRole('menuitem').count()).toBe(0);

    const attempt = async (current: string, next: string) => {
      await page.getByTestId('current-password').fill(current);
      await page.getByTestId('new-password').fill(next);
      await page.getByTestId('confirm-password').fill(next);
      await page.getByTestId('change-password-submit').click();
      const error = page.getByTestId('change-password-error');
      await error.waitFor();
      const text = (await error.textContent())!;
      return text;
    };
    await expect(attempt(temporary, 'short-1')).resolves.toContain('新密码至少需要 10 位');
    await expect(attempt(temporary, `${operator.username}-2026`)).resolves.toContain('新密码不能包含用户名');
    await expect(attempt(temporary, 'password123')).resolves.toContain('新密码过于常见');
    await shot(page, 'forced-password-change-refused');
    await expect(attempt('not-the-temporary-one', 'hongmian-beijingjie-2026')).resolves.toContain('当前密码不正确');
    // The server still refuses everything else meanwhile.
    const token = (await page.evaluate(() =>
      JSON.parse((globalThis as any).sessionStorage.getItem('kapok.session')),
    )) as { token: string };
    expect((await api(stack.url, 'GET', '/records?page=1&pageSize=1', { token: token.token })).status).toBe(403);

    await page.getByTestId('current-password').fill(temporary);
    await page.getByTestId('new-password').fill('hongmian-beijingjie-2026');
    await page.getByTestId('confirm-password').fill('hongmian-beijingjie-2026');
    await page.getByTestId('change-password-submit').click();
    await page.waitForURL('**/console/workspace');
    await page.getByTestId('go-available').waitFor();
    expect((await api(stack.url, 'GET', '/me', { token: token.token })).status).toBe(200);
    await login(stack.url, operator.username, 'hongmian-beijingjie-2026');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('anyone changes their own password from the header', async () => {
    const coordinator = await org.user('coordinator', org.districtId, '黄志强');
    const { page, errors, context } = await openPage(rig.browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await signIn(page, stack.url, coordinator.username, { landsOn: 'board' });
    await page.getByTestId('open-change-password').click();
    const form = page.getByTestId('change-password-form');
    await form.waitFor();
    await page.getByTestId('current-password').fill('wrong-password-9');
    await page.getByTestId('new-password').fill('xiaobei-road-2026');
    await page.getByTestId('confirm-password').fill('xiaobei-road-2026');
    await page.getByTestId('change-password-submit').click();
    await expect(page.getByTestId('change-password-error').textContent()).resolves.toContain('当前密码不正确');
    // The two new entries must match (checked before anything is sent).
    await page.getByTestId('current-password').fill(PASSWORD);
    await page.getByTestId('confirm-password').fill('xiaobei-road-2027');
    await page.getByTestId('change-password-submit').click();
    await page.getByText('两次输入的新密码不一致').waitFor();
    await shot(page, 'change-password-modal');
    await page.getByTestId('confirm-password').fill('xiaobei-road-2026');
    await page.getByTestId('change-password-submit').click();
    await page.getByText('密码已修改').waitFor();
    // Still signed in here; the new password is the one that works.
    await page.getByTestId('board').waitFor();
    await login(stack.url, coordinator.username, 'xiaobei-road-2026');
    expect(
      (await api(stack.url, 'POST', '/auth/login', { body: { username: coordinator.username, password: PASSWORD } }))
        .status,
    ).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });
});

/** With SHOTS_DIR set: the page as it is now, into that directory. */
async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.evaluate(() => (globalThis as any).document.activeElement?.blur());
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(dir, `${name}.png`), animations: 'disabled' });
}
