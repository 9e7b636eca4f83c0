import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { Db } from '../../libs/database/src';
import { LOGIN_LIMITS } from '../../libs/throttle/src';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { PASSWORD, TestTree, createTree } from '../support/fixtures';

/**
 * Bulk accounts and passwords (issue 11, items 3 and 4): the users CSV import is all or nothing and names every bad
 * row; `?password=` (and `mustChange=false`) for drills; changing one's password ends the other sessions; repeated
 * wrong passwords for one account are refused (429 before the password is checked) and audited.
 */

const HEADER = 'username,displayName,role,orgUnitCode,languages,skills';

describe('administration: import and passwords', () => {
  let stack: Stack;
  let tree: TestTree;
  let cityAdmin: string;
  let districtAdmin: string;
  let tag: string;
  const codes = { a1s1: '', a1s2: '', a2s1: '', a1: '' };

  /** Posts a CSV body (api() sends JSON). */
  async function importCsv(token: string, csv: string, query = '') {
    const res = await fetch(`${stack.url}/api/admin/users/import${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8' },
      body: csv,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Posts an Excel workbook whose first sheet holds `rows` (the first is the header). */
  async function importXlsx(token: string, rows: (string | number)[][], query = '') {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('社工').addRows(rows);
    const res = await fetch(`${stack.url}/api/admin/users/import${query}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      body: Buffer.from(await workbook.xlsx.writeBuffer()),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const count = async (prefix: string) =>
    Number(
      (await stack.app
        .get(Db)
        .one<{ n: string }>('SELECT count(*) AS n FROM users WHERE username LIKE $1', [`${prefix}%`]))!.n,
    );

  beforeAll(async () => {
    // Client addresses from X-Forwarded-For, so each brute-force attempt can come from an address of its own.
    stack = await startStack({ TRUST_PROXY: 'loopback' });
    tree = await createTree(stack.app);
    cityAdmin = await login(stack.url, (await tree.user('admin', tree.cityId)).username);
    districtAdmin = await login(stack.url, (await tree.user('admin', tree.districts.a1)).username);
    tag = randomUUID().slice(0, 6);
    // Unit codes (the admin API sets them on creation; these units were made by the fixture).
    const db = stack.app.get(Db);
    for (const [name, id] of [
      ['a1s1', tree.stations.a1s1.id],
      ['a1s2', tree.stations.a1s2.id],
      ['a2s1', tree.stations.a2s1.id],
      ['a1', tree.districts.a1],
    ] as const) {
      codes[name] = `T${tag}-${name}`.toUpperCase();
      await db.run('UPDATE org_units SET code = $2 WHERE id = $1', [id, codes[name]]);
    }
  });
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  it('one bad row: nothing is imported and the row is named', async () => {
    const prefix = `imp1-${tag}`;
    const csv = [
      HEADER,
      `${prefix}-1,陈一,operator,${codes.a1s1},yue|cmn,elderly`,
      `${prefix}-2,陈二,operator,NO-SUCH-UNIT,cmn,`,
      `${prefix}-3,陈三,operator,${tree.stations.a1s2.id},,`,
    ].join('\n');
    const res = await importCsv(cityAdmin, csv);
    expect(res.status).toBe(400);
    const message: string[] = res.body.message;
    expect(message[0]).toMatch(/nothing was imported: 1 of 3/);
    expect(message).toHaveLength(2);
    expect(message[1]).toMatch(new RegExp(`^line 3 \\(${prefix}-2\\): orgUnitCode NO-SUCH-UNIT`));
    expect(await count(prefix)).toBe(0);
  });

  it('every bad row is named: duplicates in the file and in the database, units, levels, formats', async () => {
    const prefix = `imp2-${tag}`;
    const taken = await tree.operator('a1s1');
    const csv = [
      HEADER,
      `${prefix}-ok,好,operator,${codes.a1s1},,`,
      `${prefix}-ok,重复,operator,${codes.a1s1},,`,
      `${taken.username},已有,operator,${codes.a1s1},,`,
      `${prefix}-lvl,层级,operator,${codes.a1},,`,
      `${prefix}-role,角色,boss,${codes.a1s1},,`,
      `bad name,名字,operator,${codes.a1s1},,`,
      `${prefix}-lang,语言,operator,${codes.a1s1},Cantonese,`,
    ].join('\n');
    const res = await importCsv(cityAdmin, csv);
    expect(res.status).toBe(400);
    const said = res.body.message.join('\n');
    expect(said).toMatch(/line 3 \(.*-ok\): username .*-ok is already on line 2/);
    expect(said).toMatch(new RegExp(`line 4 \\(${taken.username}\\): username ${taken.username} is taken`));
    expect(said).toMatch(/line 5 \(.*-lvl\): a operator belongs to a station/);
    expect(said).toMatch(/line 6 \(.*-role\): role "boss" is not one of/);
    expect(said).toMatch(/line 7 \(bad name\): username must be/);
    expect(said).toMatch(/line 8 \(.*-lang\): languages: "Cantonese"/);
    expect(said).not.toMatch(/line 2 /);
    expect(await count(prefix)).toBe(0);
  });

  it('a district admin cannot import people outside their district (rows named, nothing created)', async () => {
    const prefix = `imp3-${tag}`;
    const csv = [
      HEADER,
      `${prefix}-in,区内,operator,${codes.a1s2},,`,
      `${prefix}-out,区外,operator,${codes.a2s1},,`,
      `${prefix}-city,全市,manager,${tree.cityId},,`,
    ].join('\n');
    const res = await importCsv(districtAdmin, csv);
    expect(res.status).toBe(400);
    const said = res.body.message.join('\n');
    expect(said).toMatch(/line 3 \(.*-out\): orgUnitCode .* is outside the part of the organisation you administer/);
    expect(said).toMatch(/line 4 \(.*-city\): orgUnitCode .* is outside/);
    expect(await count(prefix)).toBe(0);
  });

  it('?password= with mustChange=false: every account signs in with it at once; audited per unit', async () => {
    const prefix = `imp4-${tag}`;
    const rows = Array.from({ length: 50 }, (_, i) => {
      const unit = i % 2 ? codes.a1s1 : tree.stations.a1s2.id.toUpperCase();
      return `${prefix}-${i},"社工 ${i}号",operator,${unit},yue|cmn,psychological_support|elderly`;
    });
    const res = await importCsv(
      cityAdmin,
      `\uFEFF${[HEADER, ...rows].join('\r\n')}\r\n`,
      '?password=hong-mian-drill-2026&mustChange=false',
    );
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(50);
    expect(res.body.users).toHaveLength(50);
    expect(res.body.users[0]).toEqual({ username: `${prefix}-0` });

    const signIn = await api(stack.url, 'POST', '/auth/login', {
      body: { username: `${prefix}-7`, password: 'hong-mian-drill-2026' },
    });
    expect(signIn.status).toBe(200);
    expect(signIn.body.mustChangePassword).toBe(false);
    expect(signIn.body.user).toMatchObject({
      displayName: '社工 7号',
      role: 'operator',
      orgUnitId: tree.stations.a1s1.id,
    });
    const sock = await AgentClient.connect(stack.url, signIn.body.accessToken);
    sock.close();
    const me = await api(stack.url, 'GET', `/admin/users?search=${prefix}-7`, { token: cityAdmin });
    expect(me.body.items[0]).toMatchObject({ languages: ['yue', 'cmn'], skills: ['psychological_support', 'elderly'] });

    const audit = await stack.app
      .get(Db)
      .rows<{ station_id: string; detail: any }>(
        `SELECT station_id, detail FROM audit_log WHERE action = 'admin.user.import' AND detail->'after'->'usernames' ? $1`,
        [`${prefix}-0`],
      );
    expect(audit).toHaveLength(1);
    expect(audit[0].detail.after.created).toBe(25);
    expect(JSON.stringify(audit)).not.toContain('hong-mian-drill-2026');

    // Again: every row is now taken.
    const again = await importCsv(cityAdmin, [HEADER, ...rows].join('\n'), '?password=hong-mian-drill-2026');
    expect(again.status).toBe(400);
    expect(again.body.message[0]).toMatch(/50 of 50/);
  });

  it('generated passwords are returned once and must be changed; a weak ?password= is refused', async () => {
    const prefix = `imp5-${tag}`;
    const csv = [HEADER, `${prefix}-1,一,operator,${codes.a1s1},,`, `${prefix}-2,二,coordinator,${codes.a1},,`].join(
      '\n',
    );
    const weak = await importCsv(cityAdmin, csv, '?password=12345678');
    expect(weak.status).toBe(400);
    expect(weak.body.message.join(' ')).toMatch(/^password must be at least 10/);
    expect((await importCsv(cityAdmin, csv, '?mustChange=false')).status).toBe(400);

    const res = await importCsv(cityAdmin, csv);
    expect(res.status).toBe(201);
    expect(res.body.users.map((u: any) => u.username)).toEqual([`${prefix}-1`, `${prefix}-2`]);
    const [first] = res.body.users;
    expect(first.temporaryPassword).toMatch(/^[A-Za-z0-9]{14}$/);
    const signIn = await api(stack.url, 'POST', '/auth/login', {
      body: { username: first.username, password: first.temporaryPassword },
    });
    expect(signIn.body.mustChangePassword).toBe(true);
    expect((await api(stack.url, 'GET', '/me', { token: signIn.body.accessToken })).status).toBe(403);
  });

  it('refuses what is not a users CSV', async () => {
    const json = await api(stack.url, 'POST', '/admin/users/import', { token: cityAdmin, body: { a: 1 } });
    expect(json.status).toBe(415);
    const noHeader = await importCsv(cityAdmin, 'name,unit\nx,y\n');
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.message.join(' ')).toMatch(/missing column\(s\): username, displayName, role, orgUnitCode/);
    const coordinator = await login(stack.url, (await tree.user('coordinator', tree.districts.a1)).username);
    expect((await importCsv(coordinator, `${HEADER}\n`)).status).toBe(403);
  });

  it('imports an Excel workbook like the CSV: a bad row named by its row number, then all or nothing', async () => {
    const prefix = `xlsx-${tag}`;
    const header = HEADER.split(',');
    const bad = await importXlsx(cityAdmin, [
      header,
      [`${prefix}-1`, '黄一', 'operator', codes.a1s1, 'yue|cmn', 'elderly'],
      [`${prefix}-2`, '黄二', 'operator', 'NO-SUCH-UNIT', '', ''],
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toHaveLength(2);
    expect(bad.body.message[1]).toMatch(new RegExp(`^line 3 \\(${prefix}-2\\): orgUnitCode NO-SUCH-UNIT`));
    expect(await count(prefix)).toBe(0);

    // Columns in another order and case; a number cell (an extension-like code) is read as written.
    const good = await importXlsx(
      cityAdmin,
      [
        ['ROLE', 'username', 'orgunitcode', 'displayName', 'skills'],
        ['operator', `${prefix}-1`, codes.a1s1, '黄一', 'elderly'],
        ['operator', `${prefix}-2`, codes.a1s2, 2026, ''],
      ],
      '?password=hong-mian-drill-2026&mustChange=false',
    );
    expect(good.status).toBe(201);
    expect(good.body.created).toBe(2);
    const listed = await api(stack.url, 'GET', `/admin/users?search=${prefix}`, { token: cityAdmin });
    expect(listed.body.items.map((u: any) => [u.username, u.displayName, u.orgUnitId, u.skills]).sort()).toEqual([
      [`${prefix}-1`, '黄一', tree.stations.a1s1.id, ['elderly']],
      [`${prefix}-2`, '2026', tree.stations.a1s2.id, []],
    ]);
    const signIn = await api(stack.url, 'POST', '/auth/login', {
      body: { username: `${prefix}-2`, password: 'hong-mian-drill-2026' },
    });
    expect(signIn.status).toBe(200);

    const notAWorkbook = await fetch(`${stack.url}/api/admin/users/import`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${cityAdmin}`,
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      body: 'username,displayName\n',
    });
    expect(notAWorkbook.status).toBe(400);
    expect(((await notAWorkbook.json()) as { message: string[] }).message.join(' ')).toMatch(
      /the Excel file could not be read/,
    );
  });

  it('changing one’s password ends the other sessions and keeps this one', async () => {
    const op = await tree.operator('a1s1');
    const here = await login(stack.url, op.username);
    const elsewhere = await login(stack.url, op.username);
    const sock = await AgentClient.connect(stack.url, elsewhere);
    const ended = sock.next('session:ended');
    const res = await api(stack.url, 'POST', '/auth/change-password', {
      token: here,
      body: { currentPassword: PASSWORD, newPassword: 'hong-mian-own-2026' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ mustChangePassword: false, otherSessionsEnded: 1 });
    expect(await ended).toEqual({ reason: 'revoked' });
    sock.close();
    expect((await api(stack.url, 'GET', '/me', { token: elsewhere })).status).toBe(401);
    expect((await api(stack.url, 'GET', '/me', { token: here })).status).toBe(200);
    expect(
      (await api(stack.url, 'POST', '/auth/login', { body: { username: op.username, password: PASSWORD } })).status,
    ).toBe(401);
  });

  it('brute force on one account: refused with 429 and Retry-After before the password is checked, and audited', async () => {
    const op = await tree.operator('a1s2');
    const ip = () => `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const attempt = (password: string) =>
      api(stack.url, 'POST', '/auth/login', {
        body: { username: op.username, password },
        headers: { 'x-forwarded-for': ip() },
      });
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const refused = await attempt('guess-x');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The right password is refused too while the account is throttled (it is not even checked).
    expect((await attempt(PASSWORD)).status).toBe(429);

    const rows = await stack.app
      .get(Db)
      .rows<{ outcome: string; user_id: string | null }>(
        'SELECT outcome, user_id FROM login_attempts WHERE username = $1 ORDER BY id',
        [op.username],
      );
    expect(rows.filter((r) => r.outcome === 'failed')).toHaveLength(LOGIN_LIMITS.perAccount);
    expect(rows.some((r) => r.outcome === 'refused')).toBe(true);
    expect(rows.every((r) => r.user_id === op.id)).toBe(true);
  });

  it('wrong current passwords when changing count as failed sign-ins (a stolen session cannot guess)', async () => {
    const op = await tree.operator('a1s2');
    const token = await login(stack.url, op.username);
    const change = (currentPassword: string) =>
      api(stack.url, 'POST', '/auth/change-password', {
        token,
        body: { currentPassword, newPassword: 'hong-mian-guess-2026' },
      });
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) expect((await change(`guess-${i}`)).status).toBe(400);
    const refused = await change(PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const failed = await stack.app
      .get(Db)
      .one<{ n: string }>(`SELECT count(*) AS n FROM login_attempts WHERE username = $1 AND outcome = 'failed'`, [
        op.username,
      ]);
    expect(Number(failed!.n)).toBe(LOGIN_LIMITS.perAccount);
  });
});
