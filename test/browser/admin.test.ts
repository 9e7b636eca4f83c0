import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Page } from 'playwright-core';
import { Db } from '../../libs/database/src';
import { Stack, api } from '../support/stack';
import { contactRow } from '../support/fixtures';
import { ConsoleOrg, ConsoleRig, eventually, openPage, pickUnit, signIn, startConsole } from './support';

// A real browser on a busy machine: each step waits up to 30 s for what it expects, so a test may take minutes.
jest.setTimeout(300_000);

/**
 * 系统管理 in real Chromium (issue 11): a city admin sets up a new station without SQL — creates it in the org tree,
 * gives it a line, imports 50 workers from a CSV file (their temporary passwords downloaded from the result),
 * issues an intake key; one of the workers signs in, must choose a password first, goes on duty and takes a call
 * sent with that key. Closing the station while people are attached is refused with the server's reason; the
 * roster and routing settings of the station are kept in the console; the audit log shows every change.
 *
 * With SHOTS_DIR set, each screen is also captured at 1366×768 into that directory (never into the repository).
 */
describe('console: administration (Chromium)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let org: ConsoleOrg;
  const tag = randomUUID().slice(0, 6);
  const stationName = `东山街社工站${tag}`;
  const stationCode = `YX-DSJ-${tag}`;
  const lineNumber = `020-8${String(Math.floor(Math.random() * 1e3)).padStart(3, '0')}-${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  const workers = Array.from({ length: 50 }, (_, i) => ({
    username: `dsj-${tag}-${String(i + 1).padStart(2, '0')}`,
    displayName: `东山社工${String(i + 1).padStart(2, '0')}`,
  }));

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '60' }, ['北京街社工站']);
    ({ stack, org } = rig);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('an admin sets up a station, a line, 50 workers and a key; a worker changes the temporary password and takes a call', async () => {
    const admin = await org.user('admin', org.cityId, '周敏（系统管理员）');
    // Content-Security-Policy violations the admin screens cause (none expected: blob downloads, clipboard …)
    const { page, errors, context } = await openPage(rig.browser, (c) =>
      c.addInitScript(() => {
        const w = globalThis as any; // runs in the browser
        w.__csp = [];
        w.document.addEventListener('securitypolicyviolation', (e: any) => w.__csp.push(e.violatedDirective));
      }),
    );
    await page.setViewportSize({ width: 1366, height: 768 });
    await signIn(page, stack.url, admin.username, { landsOn: 'board' });

    // ---- 组织架构: a new station under 越秀区
    await page.getByRole('menuitem', { name: '组织架构' }).click();
    const tree = page.getByTestId('org-tree');
    await tree.getByText('越秀区', { exact: true }).click();
    await page.getByTestId('org-create').click();
    await page.getByTestId('org-name').fill(stationName);
    await page.getByTestId('org-code').fill(stationCode);
    await page.getByTestId('org-submit').click();
    await tree.getByText(stationName, { exact: true }).waitFor();
    await expect(page.getByTestId('org-detail').textContent()).resolves.toContain(stationCode);
    const station = await eventually(
      () =>
        stack.app
          .get(Db)
          .one<{ id: string; parent_id: string; level: string }>('SELECT * FROM org_units WHERE name = $1', [
            stationName,
          ]),
      10_000,
      'the station row',
    );
    expect(station).toMatchObject({ parent_id: org.districtId, level: 'station' });
    await shot(page, 'admin-org-units');

    // ---- 热线管理: a line at the new station
    await page.getByRole('menuitem', { name: '热线管理' }).click();
    await page.getByTestId('hotline-create').click();
    await page.getByTestId('hotline-number').fill(lineNumber);
    await page.getByTestId('hotline-name').fill(`${stationName}红棉守护热线`);
    await pickUnit(page, 'hotline-station', stationName);
    await page.getByTestId('hotline-submit').click();
    await page.getByTestId('hotline-table').getByText(lineNumber).waitFor();
    await shot(page, 'admin-hotlines');
    // A CSV with one bad row (the number is taken) names the row and creates nothing.
    const spare = `${lineNumber}9`;
    await page.locator('[data-testid=hotlines-admin] input[type=file]').setInputFiles({
      name: 'lines.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `number,stationCode,name\n${spare},${stationCode},备用线\n${lineNumber},${stationCode},重复\n`,
      ),
    });
    await expect(page.getByTestId('hotline-import-errors').textContent()).resolves.toMatch(/第 3 行.*已是一条热线/);
    expect(await page.getByTestId('hotline-table').getByText(spare).count()).toBe(0);
    await shot(page, 'admin-hotlines-import-refused');
    // Suspended, its intake is refused (409); resumed, it takes calls again.
    await page.getByTestId(`hotline-suspend-${lineNumber}`).click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /暂\s*停/ })
      .click();
    await page.getByTestId(`hotline-resume-${lineNumber}`).waitFor();
    const refused = await api(stack.url, 'POST', '/contacts', {
      key: org.intakeKey,
      body: { hotlineNumber: lineNumber, channel: 'phone' },
    });
    expect(refused.status).toBe(409);
    await page.getByTestId(`hotline-resume-${lineNumber}`).click();
    await page.getByTestId(`hotline-suspend-${lineNumber}`).waitFor();

    // ---- 账号管理: 50 workers from a CSV file; the temporary passwords come back once, as a download
    await page.getByRole('menuitem', { name: '账号管理' }).click();
    await page.getByTestId('account-table').waitFor();
    await page.getByTestId('account-import').click();
    // First a file with a bad row: the row is named, nothing is created.
    await page.locator('.ant-modal input[type=file]').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `username,displayName,role,orgUnitCode,languages,skills\n${workers[0].username},${workers[0].displayName},operator,${stationCode},yue,\nx-${tag},某人,operator,NO-SUCH-${tag},yue,\n`,
      ),
    });
    await page.getByTestId('import-submit').click();
    await expect(page.getByTestId('import-errors').textContent()).resolves.toMatch(
      new RegExp(`第 3 行（x-${tag}）：单位编码 NO-SUCH-${tag} 不存在`),
    );
    const csv =
      'username,displayName,role,orgUnitCode,languages,skills\n' +
      workers
        .map((w, i) => `${w.username},${w.displayName},operator,${stationCode},yue|cmn,${i % 2 ? 'elderly' : ''}`)
        .join('\n') +
      '\n';
    await page
      .locator('.ant-modal input[type=file]')
      .setInputFiles({ name: '东山街社工.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('import-file-name').filter({ hasText: '（50 行）' }).waitFor();
    expect(await page.getByTestId('import-errors').count()).toBe(0);
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-result').waitFor();
    await expect(page.getByTestId('import-result').textContent()).resolves.toContain('已创建 50 个账号');
    const downloading = page.waitForEvent('download');
    await page.getByTestId('import-passwords').click();
    const file = readFileSync((await (await downloading).path())!, 'utf8').replace(/^\uFEFF/, '');
    const passwords = new Map(
      file
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((l) => l.split(',') as [string, string]),
    );
    expect(passwords.size).toBe(50);
    const worker = workers[6];
    const temporary = passwords.get(worker.username)!;
    expect(temporary).toMatch(/^\S{10,}$/);
    await shot(page, 'admin-accounts-import');
    await page.getByTestId('import-done').click();
    // The list finds them by the station.
    await page.getByTestId('account-search').fill(`dsj-${tag}`);
    await page.getByTestId('account-search-submit').click();
    await expect(page.getByTestId('account-table').textContent()).resolves.toContain('待改密');
    await eventually(
      async () => (await page.getByText('共 50 个账号').count()) > 0,
      10_000,
      'the 50 imported accounts listed',
    );
    await shot(page, 'admin-accounts');
    // Export: the listed accounts as CSV (the import's columns).
    const exporting = page.waitForEvent('download');
    await page.getByTestId('account-export').click();
    const exported = readFileSync((await (await exporting).path())!, 'utf8').replace(/^\uFEFF/, '');
    const exportedLines = exported.trim().split(/\r?\n/);
    expect(exportedLines[0]).toBe('username,displayName,role,orgUnitCode,languages,skills');
    expect(exportedLines).toHaveLength(51);
    expect(exportedLines[1]).toBe(`${workers[0].username},${workers[0].displayName},operator,${stationCode},yue|cmn,`);
    // One leaves: deactivated after a confirmation.
    await page.getByTestId('account-search').fill(workers[49].username);
    await page.getByTestId('account-search-submit').click();
    // the list answered the search (a click on the row before it re-renders can lose its confirmation on a busy host)
    await eventually(async () => (await page.getByText('共 1 个账号').count()) > 0, 30_000, 'the one account found');
    await page.getByTestId(`deactivate-${workers[49].username}`).click();
    await page.getByTestId('confirm-deactivate').click();
    await eventually(
      async () =>
        (
          await stack.app
            .get(Db)
            .one<{ active: boolean }>('SELECT active FROM users WHERE username = $1', [workers[49].username])
        )?.active === false,
      10_000,
      'the account deactivated',
    );
    // A supervisor of both stations of 越秀区, with the temporary password shown once (and copyable).
    const supervisorName = `sup-${tag}`;
    await page.getByTestId('account-create').click();
    await page.getByTestId('account-username').fill(supervisorName);
    await page.getByTestId('account-display-name').fill('梁督导');
    await page.getByTestId('account-role').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '督导' }).click();
    await pickUnit(page, 'account-unit', '越秀区');
    await pickUnit(page, 'account-supervised', stationName);
    await pickUnit(page, 'account-supervised', '北京街社工站');
    await page.getByTestId('account-extension').fill('8021');
    await shot(page, 'admin-account-create');
    await page.getByTestId('account-submit').click();
    const supervisorPassword = (await page.getByTestId('temporary-password').textContent())!.trim();
    expect(supervisorPassword.length).toBeGreaterThanOrEqual(10);
    await shot(page, 'admin-account-created');
    await page.getByTestId('secret-done').click();
    const supervisor = (await stack.app
      .get(Db)
      .one<{ id: string; role: string; org_unit_id: string; extension: string }>(
        'SELECT * FROM users WHERE username = $1',
        [supervisorName],
      ))!;
    expect(supervisor).toMatchObject({ role: 'supervisor', org_unit_id: org.districtId, extension: '8021' });
    const supervised = await stack.app
      .get(Db)
      .rows<{ station_id: string }>('SELECT station_id FROM supervisor_stations WHERE user_id = $1', [supervisor.id]);
    expect(supervised.map((r) => r.station_id).sort()).toEqual([station.id, org.stations[0].id].sort());

    // ---- 组织架构: closing the station now is refused, and the server says what is attached
    await page.getByRole('menuitem', { name: '组织架构' }).click();
    await page.getByTestId('org-search').fill(stationName);
    await page.getByTestId('org-tree').getByText(stationName, { exact: true }).click();
    await page.getByTestId('org-close').click();
    await page.getByTestId('org-close-confirm').click();
    const refusal = page.getByTestId('org-close-error');
    await refusal.waitFor();
    await expect(refusal.textContent()).resolves.toMatch(/1 条在用热线.*50 名在职人员.*不能关闭/);
    await shot(page, 'admin-org-close-refused');
    await page.getByRole('button', { name: '知道了' }).click();

    // ---- 接入密钥: a key for the station's gateway, shown once
    await page.getByRole('menuitem', { name: '接入密钥' }).click();
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').fill(`东山街电话网关${tag}`);
    await page.getByTestId('key-submit').click();
    const key = (await page.getByTestId('issued-key').textContent())!.trim();
    expect(key.length).toBeGreaterThan(20);
    await shot(page, 'admin-intake-key-issued');
    await page.getByTestId('key-done').click();
    await page.getByTestId('key-table').getByText(`东山街电话网关${tag}`).waitFor();
    await shot(page, 'admin-intake-keys');

    // ---- 排班与路由设置: the station's roster from a CSV, gaps shown; its offer timeout set
    await page.getByRole('menuitem', { name: '排班与路由设置' }).click();
    await pickUnit(page, 'roster-station', stationName);
    // tomorrow (Shanghai), in the month shown: gaps before they happen are highlighted there
    const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10);
    const month = page.getByTestId('roster-month');
    await month.click();
    await month.fill(tomorrow.slice(0, 7));
    await month.press('Enter');
    await page.locator('[data-testid=rosters] input[type=file]').setInputFiles({
      name: 'roster.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `username,date,start,end\n${workers[0].username},${tomorrow},08:00,16:00\n${workers[1].username},${tomorrow},16:00,22:00\n`,
      ),
    });
    await page.getByText('已导入 2 个班次').waitFor();
    await page.getByTestId('roster-grid').getByText(workers[0].displayName).waitFor();
    // 08:00–22:00 rostered: the night before and after is nobody's (10 hours)
    await expect(page.getByTestId(`gap-${tomorrow}`).textContent()).resolves.toBe('10时');
    await expect(page.getByTestId('roster-gaps').textContent()).resolves.toContain('00:00–08:00、22:00–24:00');
    await shot(page, 'admin-rosters');
    await page.getByRole('tab', { name: '路由设置' }).click();
    await page.getByTestId('setting-offerTimeoutSeconds').fill('45');
    await page.getByTestId('save-settings').click();
    await page.getByText('路由设置已保存').waitFor();
    const settings = await stack.app
      .get(Db)
      .one<{ offer_timeout_seconds: number }>('SELECT * FROM station_settings WHERE station_id = $1', [station.id]);
    expect(Number(settings?.offer_timeout_seconds)).toBe(45);
    await shot(page, 'admin-routing-settings');

    // ---- 操作日志: the changes, with who and before → after
    await page.getByRole('menuitem', { name: '操作日志' }).click();
    const log = page.getByTestId('audit-table');
    await log.getByText('导入账号').first().waitFor();
    const logText = (await log.textContent())!;
    for (const what of ['新建单位', '新建热线', '签发接入密钥']) expect(logText).toContain(what);
    expect(logText).toContain('周敏');
    // Only one object's changes: the line's (created, then moved or suspended above), by clicking it
    const lineRow = log.locator('tr', { hasText: '新建热线' }).first();
    await lineRow.getByTitle('只看此对象的操作').click();
    await page.getByTestId('audit-subject-filter').waitFor();
    await eventually(
      async () => {
        const rows = await log.locator('tbody tr.ant-table-row').allTextContents();
        return rows.length > 0 && rows.every((t) => /热线/.test(t)) && !rows.some((t) => t.includes('导入账号'));
      },
      30_000,
      'only the line’s changes listed',
    );
    await page.getByTestId('audit-subject-filter').locator('.ant-tag-close-icon').click();
    await log.getByText('导入账号').first().waitFor();
    await shot(page, 'admin-audit-log');
    // A phone-sized screen: the table scrolls inside its card, nothing throws.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'admin-audit-log-390');
    if (process.env.SHOTS_DIR) {
      for (const screen of ['accounts', 'rosters', 'org-units']) {
        await page.goto(`${stack.url}/console/${screen}`);
        await page.getByTestId(screen).waitFor();
        await shot(page, `admin-${screen}-390`);
      }
    }
    await page.setViewportSize({ width: 1366, height: 768 });

    // ---- One of the workers: temporary password → must choose their own → on duty → takes a call
    const w = await openPage(rig.browser);
    await w.page.setViewportSize({ width: 1366, height: 768 });
    await w.page.goto(`${stack.url}/console/`);
    await w.page.getByTestId('login-username').fill(worker.username);
    await w.page.getByTestId('login-password').fill(temporary);
    await w.page.getByTestId('login-submit').click();
    await w.page.getByTestId('forced-password-change').waitFor();
    await w.page.getByTestId('current-password').fill(temporary);
    await w.page.getByTestId('new-password').fill('hongmian-dongshan-2026');
    await w.page.getByTestId('confirm-password').fill('hongmian-dongshan-2026');
    await w.page.getByTestId('change-password-submit').click();
    await w.page.waitForURL('**/console/workspace');
    await w.page.getByTestId('go-available').click();
    await w.page.getByTestId('presence').filter({ hasText: '在岗' }).waitFor();

    const created = await api(stack.url, 'POST', '/contacts', {
      key,
      body: { hotlineNumber: lineNumber, channel: 'phone', callerNumber: '13900001111', externalId: `adm-${tag}` },
    });
    expect(created.status).toBe(201);
    await w.page.getByTestId('offer').waitFor();
    await w.page.getByTestId('offer-accept').click();
    await w.page.getByTestId('active-contact').waitFor();
    const row = await contactRow(stack.app, created.body.id);
    expect(row!.status).toBe('active');
    expect(w.errors).toEqual([]);
    await w.context.close();

    // ---- The admin revokes the gateway's key: refused at once
    await page.getByRole('menuitem', { name: '接入密钥' }).click();
    await page.getByTestId(`key-revoke-东山街电话网关${tag}`).click();
    await page.getByTestId('key-revoke-confirm').click();
    // (the success message: '已吊销' alone also matches the 显示已吊销 button, there before the revoke is done)
    await page.getByText(`已吊销「东山街电话网关${tag}」`).waitFor();
    const afterRevoke = await api(stack.url, 'POST', '/contacts', {
      key,
      body: { hotlineNumber: lineNumber, channel: 'phone' },
    });
    expect(afterRevoke.status).toBe(401);
    // The key's last use is shown (the call above), and nothing broke the page's policy.
    expect(await page.evaluate(() => (globalThis as any).__csp)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a coordinator keeps the rosters and routing settings of their stations (no 系统管理)', async () => {
    const coordinator = await org.user('coordinator', org.districtId, '黄志强');
    const operator = await org.user('operator', org.stations[0].id, '陈晓明');
    const { page, errors, context } = await openPage(rig.browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await signIn(page, stack.url, coordinator.username, { landsOn: 'board' });
    expect(await page.getByRole('menuitem', { name: '系统管理' }).count()).toBe(0);
    expect(await page.getByRole('menuitem', { name: '账号管理' }).count()).toBe(0);
    await page.getByRole('menuitem', { name: '排班与路由设置' }).click();
    await pickUnit(page, 'roster-station', '北京街社工站');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    // a shift for the whole of today and tomorrow's morning: no gap left today (from now on)
    const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10);
    const month = page.getByTestId('roster-month');
    await month.click();
    await month.fill(today.slice(0, 7));
    await month.press('Enter');
    await page.locator('[data-testid=rosters] input[type=file]').setInputFiles({
      name: 'roster.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`username,date,start,end\n${operator.username},${today},00:00,00:00\n`),
    });
    await page.getByText('已导入 1 个班次').waitFor();
    await page.getByTestId('roster-grid').getByText('陈晓明').waitFor();
    expect(await page.getByTestId(`gap-${today}`).count()).toBe(0);
    if (tomorrow.slice(0, 7) === today.slice(0, 7)) {
      await expect(page.getByTestId(`gap-${tomorrow}`).textContent()).resolves.toBe('全天');
    }
    // A bad roster names its line, in Chinese.
    await page.locator('[data-testid=rosters] input[type=file]').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`username,date,start,end\nnobody-${tag},${today},08:00,16:00\n`),
    });
    await expect(page.getByTestId('roster-import-errors').textContent()).resolves.toContain(
      `第 2 行：nobody-${tag} 不是本站的接线社工`,
    );
    await page.getByRole('tab', { name: '路由设置' }).click();
    await page.getByTestId('setting-chatCapacity').fill('2');
    await page.getByTestId('save-settings').click();
    await page.getByText('路由设置已保存').waitFor();
    const saved = await stack.app
      .get(Db)
      .one<{ chat_capacity: number }>('SELECT chat_capacity FROM station_settings WHERE station_id = $1', [
        org.stations[0].id,
      ]);
    expect(Number(saved?.chat_capacity)).toBe(2);

    // 常用语 for every workstation of the station: the defaults until set
    await page.getByRole('tab', { name: '常用语' }).click();
    await page.getByTestId('quick-replies-form').getByText('当前为默认常用语').waitFor();
    await page.getByTestId('quick-reply-new').fill('请问您身边现在有人陪伴吗？');
    await page.getByRole('button', { name: '添加' }).click();
    await page.getByRole('button', { name: /删除常用语：我需要一点时间查询相关信息/ }).click();
    await page.getByTestId('save-quick-replies').click();
    await page.getByText('常用语已保存').waitFor();
    const phrases = await stack.app
      .get(Db)
      .one<{ phrases: string[] }>('SELECT phrases FROM station_quick_replies WHERE station_id = $1', [
        org.stations[0].id,
      ]);
    expect(phrases!.phrases).toContain('请问您身边现在有人陪伴吗？');
    expect(phrases!.phrases.some((p) => p.includes('我需要一点时间查询'))).toBe(false);
    await page.getByText(/最近由 黄志强 于 .*（北京时间）修改/).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});

/** Picks a unit in a tree picker (UnitPicker) by typing part of its name. */
/** With SHOTS_DIR set: the page as it is now, into that directory (full page when asked). */
async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  const dir = process.env.SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.evaluate(() => (globalThis as any).document.activeElement?.blur());
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage, animations: 'disabled' });
}
