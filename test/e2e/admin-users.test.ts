import { io } from 'socket.io-client';
import { Db } from '../../libs/database/src';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { PASSWORD, TestTree, createTree } from '../support/fixtures';

/**
 * Accounts through the administration API (issue 11, items 3 and 7): create with a role and scope and a temporary
 * password, change, deactivate (a live socket holding an open offer is dropped and the offer goes to the next
 * operator), reset a password, list and export; delegation by scope (a district admin: 404 outside, 403 on wider
 * grants); every change in the audit log. Real stack, real socket.io clients.
 */

/** Opens a socket and resolves with the server's refusal (connect_error message); fails if it connects. */
function refusal(url: string, namespace: '/agent' | '/monitor', token: string): Promise<string> {
  const s = io(`${url}${namespace}`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither connected nor refused within 10 s')), 10_000);
    s.on('connect', () => {
      clearTimeout(timer);
      reject(new Error(`${namespace} connected`));
    });
    s.on('connect_error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
  }).finally(() => s.close());
}

/** Resolves when the client's socket closes, with how long after `since` (ms). */
function closed(c: AgentClient, since: number, timeoutMs = 15_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the socket was still open after ${timeoutMs} ms`)), timeoutMs);
    c.socket.once('disconnect', () => {
      clearTimeout(timer);
      resolve(Date.now() - since);
    });
  });
}

const measured: string[] = [];

describe('administration: accounts', () => {
  let stack: Stack;
  let tree: TestTree;
  let cityAdmin: string;
  let districtAdmin: string;
  const clients: AgentClient[] = [];
  const track = (c: AgentClient) => (clients.push(c), c);
  let n = 0;
  const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++n}`;

  beforeAll(async () => {
    stack = await startStack();
    tree = await createTree(stack.app);
    cityAdmin = await login(stack.url, (await tree.user('admin', tree.cityId)).username);
    districtAdmin = await login(stack.url, (await tree.user('admin', tree.districts.a1)).username);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
    if (measured.length) console.info(`admin-users.test measured:\n  ${measured.join('\n  ')}`);
  });

  const create = (token: string, body: Record<string, unknown>) =>
    api(stack.url, 'POST', '/admin/users', { token, body });

  it('creates an operator with a temporary password that must be changed before anything else', async () => {
    const username = uniqueName('chen');
    const res = await create(cityAdmin, {
      username,
      displayName: '陈晓明',
      role: 'operator',
      orgUnitId: tree.stations.a1s1.id,
      languages: ['yue', 'cmn'],
      skills: ['psychological_support', 'elderly'],
      extension: '8021',
    });
    expect(res.status).toBe(201);
    expect(res.body.temporaryPassword).toMatch(/^[A-Za-z0-9]{14}$/);
    expect(res.body.user).toMatchObject({
      username,
      displayName: '陈晓明',
      role: 'operator',
      orgUnitId: tree.stations.a1s1.id,
      active: true,
      mustChangePassword: true,
      languages: ['yue', 'cmn'],
      skills: ['psychological_support', 'elderly'],
      supervisedStationIds: [],
      extension: '8021',
      deactivatedAt: null,
    });
    expect(JSON.stringify(res.body.user)).not.toMatch(/password_?hash|argon/i);

    // Signing in works and says so; every other route (and the sockets) refuse until the password is changed.
    const signIn = await api(stack.url, 'POST', '/auth/login', {
      body: { username, password: res.body.temporaryPassword },
    });
    expect(signIn.status).toBe(200);
    expect(signIn.body.mustChangePassword).toBe(true);
    const token = signIn.body.accessToken;
    for (const [method, path] of [
      ['GET', '/me'],
      ['GET', '/auth/sessions'],
      ['GET', '/org-units'],
    ] as const) {
      const r = await api(stack.url, method, path, { token });
      expect(r.status).toBe(403);
      expect(r.body.message).toMatch(/password must be changed/);
    }
    expect(await refusal(stack.url, '/agent', token)).toBe('forbidden: the password must be changed first');

    const change = (newPassword: string, currentPassword = res.body.temporaryPassword) =>
      api(stack.url, 'POST', '/auth/change-password', { token, body: { currentPassword, newPassword } });
    const short = await change('short-1');
    expect(short.status).toBe(400);
    expect(short.body.message.join(' ')).toMatch(/at least 10 characters.*\[password\.too_short\]/);
    const withName = await change(`x-${username}-2026`);
    expect(withName.status).toBe(400);
    expect(withName.body.message.join(' ')).toMatch(/\[password\.contains_username\]/);
    for (const common of ['woaini1314', 'qwertyuiop', 'Password123', '1234567890']) {
      const r = await change(common);
      expect(r.status).toBe(400);
      expect(r.body.message.join(' ')).toMatch(/\[password\.too_common\]/);
    }
    expect((await change(res.body.temporaryPassword)).body.message.join(' ')).toMatch(/\[password\.unchanged\]/);
    const wrong = await change('hong-mian-shequ-2026', 'not-the-password');
    expect(wrong.status).toBe(400);
    expect(wrong.body.message.join(' ')).toMatch(/currentPassword is wrong/);

    const ok = await change('hong-mian-shequ-2026');
    expect(ok.status).toBe(200);
    expect(ok.body.mustChangePassword).toBe(false);
    // The same token now works everywhere, the socket too; signing in again says nothing is pending.
    expect((await api(stack.url, 'GET', '/me', { token })).body.username).toBe(username);
    track(await AgentClient.connect(stack.url, token));
    const again = await api(stack.url, 'POST', '/auth/login', { body: { username, password: 'hong-mian-shequ-2026' } });
    expect(again.body.mustChangePassword).toBe(false);
    expect(
      (await api(stack.url, 'POST', '/auth/login', { body: { username, password: res.body.temporaryPassword } }))
        .status,
    ).toBe(401);

    // Audited: who created whom, before → after, from where; never a password.
    const rows = await stack.app
      .get(Db)
      .rows<{ action: string; detail: any; ip: string | null }>(
        `SELECT action, detail, ip FROM audit_log WHERE subject_id = $1 ORDER BY id`,
        [res.body.user.id],
      );
    expect(rows.map((r) => r.action)).toEqual(['admin.user.create']);
    expect(rows[0].detail.before).toBeNull();
    expect(rows[0].detail.after).toMatchObject({ username, role: 'operator', orgUnitId: tree.stations.a1s1.id });
    expect(rows[0].ip).toBeTruthy();
    expect(JSON.stringify(rows)).not.toContain(res.body.temporaryPassword);
  });

  it('a chosen password must pass the policy; mustChangePassword: false keeps it', async () => {
    const username = uniqueName('li');
    const bad = await create(cityAdmin, {
      username,
      displayName: '李',
      role: 'operator',
      orgUnitId: tree.stations.a1s1.id,
      password: 'a123456',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message.join(' ')).toMatch(/^password must be at least 10 characters/);
    expect(bad.body.message.join(' ')).toMatch(/\[password\.too_common\]/);

    const good = await create(cityAdmin, {
      username,
      displayName: '李',
      role: 'operator',
      orgUnitId: tree.stations.a1s1.id,
      password: 'hong-mian-li-2026',
      mustChangePassword: false,
    });
    expect(good.status).toBe(201);
    expect(good.body.temporaryPassword).toBeUndefined();
    const signIn = await api(stack.url, 'POST', '/auth/login', { body: { username, password: 'hong-mian-li-2026' } });
    expect(signIn.body.mustChangePassword).toBe(false);
    expect((await api(stack.url, 'GET', '/me', { token: signIn.body.accessToken })).status).toBe(200);
  });

  it('refuses bad input with the field named: levels per role, taken names, stations for non-supervisors', async () => {
    const base = { displayName: '王', orgUnitId: tree.stations.a1s1.id };
    const atDistrict = await create(cityAdmin, {
      ...base,
      username: uniqueName('wang'),
      role: 'operator',
      orgUnitId: tree.districts.a1,
    });
    expect(atDistrict.status).toBe(400);
    expect(atDistrict.body.message.join(' ')).toMatch(/orgUnitId: a operator belongs to a station/);
    const managerAtStation = await create(cityAdmin, { ...base, username: uniqueName('wang'), role: 'manager' });
    expect(managerAtStation.status).toBe(400);
    const stationsForOperator = await create(cityAdmin, {
      ...base,
      username: uniqueName('wang'),
      role: 'operator',
      supervisedStationIds: [tree.stations.a1s2.id],
    });
    expect(stationsForOperator.status).toBe(400);
    expect(stationsForOperator.body.message.join(' ')).toMatch(/supervisedStationIds/);
    const badFormat = await create(cityAdmin, {
      ...base,
      username: 'no spaces',
      role: 'boss',
      orgUnitId: 'x',
      languages: ['Cantonese'],
    });
    expect(badFormat.status).toBe(400);
    const said = badFormat.body.message.join(' ');
    for (const field of ['username', 'role', 'orgUnitId']) expect(said).toContain(field);
    const unknownUnit = await create(cityAdmin, {
      ...base,
      username: uniqueName('wang'),
      role: 'operator',
      orgUnitId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownUnit.status).toBe(404);

    const username = uniqueName('dup');
    expect((await create(cityAdmin, { ...base, username, role: 'operator' })).status).toBe(201);
    const dup = await create(cityAdmin, { ...base, username: username.toUpperCase(), role: 'operator' });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toMatch(/taken/);
  });

  it('a supervisor gets stations; changing them and the role is audited before → after', async () => {
    const res = await create(cityAdmin, {
      username: uniqueName('liang'),
      displayName: '梁',
      role: 'supervisor',
      orgUnitId: tree.stations.a1s1.id,
      supervisedStationIds: [tree.stations.a1s1.id, tree.stations.a1s2.id, tree.stations.b1s1.id],
    });
    expect(res.status).toBe(201);
    expect([...res.body.user.supervisedStationIds].sort()).toEqual(
      [tree.stations.a1s1.id, tree.stations.a1s2.id, tree.stations.b1s1.id].sort(),
    );
    const id = res.body.user.id;
    const patched = await api(stack.url, 'PATCH', `/admin/users/${id}`, {
      token: cityAdmin,
      body: { supervisedStationIds: [tree.stations.a2s1.id], displayName: '梁淑仪', extension: '8100' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      displayName: '梁淑仪',
      extension: '8100',
      supervisedStationIds: [tree.stations.a2s1.id],
    });
    // Becoming a coordinator of the district: no stations of their own any more.
    const moved = await api(stack.url, 'PATCH', `/admin/users/${id}`, {
      token: cityAdmin,
      body: { role: 'coordinator', orgUnitId: tree.districts.a2 },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ role: 'coordinator', orgUnitId: tree.districts.a2, supervisedStationIds: [] });

    const rows = await stack.app
      .get(Db)
      .rows<{ detail: any }>(
        `SELECT detail FROM audit_log WHERE subject_id = $1 AND action = 'admin.user.update' ORDER BY id`,
        [id],
      );
    expect(rows).toHaveLength(2);
    expect(rows[0].detail.before).toMatchObject({ displayName: '梁', extension: null });
    expect(rows[0].detail.after).toMatchObject({ displayName: '梁淑仪', extension: '8100' });
    expect(rows[1].detail.before).toMatchObject({ role: 'supervisor', orgUnitId: tree.stations.a1s1.id });
    expect(rows[1].detail.after).toMatchObject({ role: 'coordinator', orgUnitId: tree.districts.a2 });
  });

  it('deactivating an operator drops their live socket within 5 s, refuses their token, and moves their open offer on', async () => {
    const [a, b] = [await tree.operator('a1s1'), await tree.operator('a1s1')];
    const tokenA = await login(stack.url, a.username);
    const sockA = track(await AgentClient.connect(stack.url, tokenA));
    await sockA.available();
    const contact = await api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations.a1s1.hotline, channel: 'phone' },
    });
    expect(contact.status).toBe(201);
    const offer = await sockA.next('contact:offer', (o) => o.contact.id === contact.body.id);
    const sockB = track(await AgentClient.connect(stack.url, await login(stack.url, b.username)));
    await sockB.available();
    await sockB.none('contact:offer', 300); // a holds the offer

    const t0 = Date.now();
    const gone = closed(sockA, t0);
    const res = await api(stack.url, 'PATCH', `/admin/users/${a.id}`, { token: cityAdmin, body: { active: false } });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect(res.body.deactivatedAt).toEqual(expect.any(String));
    const ms = await gone;
    measured.push(`deactivated through PATCH /admin/users/:id → /agent socket closed in ${ms} ms`);
    expect(ms).toBeLessThan(5000);
    expect(sockA.events.find((e) => e.event === 'session:ended')?.data).toEqual({ reason: 'deactivated' });

    const rerouted = await sockB.next('contact:offer', (o) => o.contact.id === contact.body.id, 10_000);
    measured.push(`… and the open offer reached the next operator ${Date.now() - t0} ms after the PATCH`);
    expect(rerouted.offerId).not.toBe(offer.offerId);
    expect((await api(stack.url, 'GET', '/me', { token: tokenA })).status).toBe(401);
    expect(await refusal(stack.url, '/agent', tokenA)).toMatch(/^unauthorized/);
    expect(
      (await api(stack.url, 'POST', '/auth/login', { body: { username: a.username, password: PASSWORD } })).status,
    ).toBe(401);

    // History kept: the account is listed as inactive; reactivating lets them sign in again.
    const list = await api(stack.url, 'GET', `/admin/users?active=false&search=${a.username}`, { token: cityAdmin });
    expect(list.body.items.map((u: any) => u.id)).toEqual([a.id]);
    const back = await api(stack.url, 'PATCH', `/admin/users/${a.id}`, { token: cityAdmin, body: { active: true } });
    expect(back.body).toMatchObject({ active: true, deactivatedAt: null });
    expect(
      (await api(stack.url, 'POST', '/auth/login', { body: { username: a.username, password: PASSWORD } })).status,
    ).toBe(200);
  });

  it('resetting a password ends every session and gives a temporary password to change', async () => {
    const op = await tree.operator('a1s2');
    const token = await login(stack.url, op.username);
    const sock = track(await AgentClient.connect(stack.url, token));
    const gone = closed(sock, Date.now());
    const res = await api(stack.url, 'POST', `/admin/users/${op.id}/reset-password`, { token: cityAdmin });
    expect(res.status).toBe(200);
    expect(res.body.temporaryPassword).toMatch(/^[A-Za-z0-9]{14}$/);
    await gone;
    expect((await api(stack.url, 'GET', '/me', { token })).status).toBe(401);
    expect(
      (await api(stack.url, 'POST', '/auth/login', { body: { username: op.username, password: PASSWORD } })).status,
    ).toBe(401);
    const signIn = await api(stack.url, 'POST', '/auth/login', {
      body: { username: op.username, password: res.body.temporaryPassword },
    });
    expect(signIn.body.mustChangePassword).toBe(true);
    const audit = await stack.app
      .get(Db)
      .rows<{ action: string }>(`SELECT action FROM audit_log WHERE subject_id = $1`, [op.id]);
    expect(audit.map((r) => r.action)).toContain('admin.user.reset_password');
  });

  it('a district admin manages only their district: 404 outside it, 403 on a wider grant', async () => {
    const outsider = await tree.operator('a2s1');
    for (const [method, path, body] of [
      ['GET', `/admin/users/${outsider.id}`, undefined],
      ['PATCH', `/admin/users/${outsider.id}`, { active: false }],
      ['POST', `/admin/users/${outsider.id}/reset-password`, undefined],
    ] as const) {
      const r = await api(stack.url, method, path, { token: districtAdmin, body });
      expect(r.status).toBe(404);
    }
    // Still active: nothing was done.
    expect((await api(stack.url, 'GET', `/admin/users/${outsider.id}`, { token: cityAdmin })).body.active).toBe(true);
    // Outside the administration routes too, a district admin sees their district only (a city admin: the city).
    const intake = async (station: 'a1s1' | 'a2s1') =>
      (
        await api(stack.url, 'POST', '/contacts', {
          key: tree.intakeKey,
          body: { hotlineNumber: tree.stations[station].hotline, channel: 'phone' },
        })
      ).body.id as string;
    const inside = await intake('a1s1');
    const outside = await intake('a2s1');
    expect((await api(stack.url, 'GET', `/contacts/${inside}`, { token: districtAdmin })).status).toBe(200);
    expect((await api(stack.url, 'GET', `/contacts/${outside}`, { token: districtAdmin })).status).toBe(404);
    expect((await api(stack.url, 'GET', `/contacts/${outside}`, { token: cityAdmin })).status).toBe(200);

    const cityManager = await create(districtAdmin, {
      username: uniqueName('zhou'),
      displayName: '周',
      role: 'manager',
      orgUnitId: tree.cityId,
    });
    expect(cityManager.status).toBe(403);
    const otherDistrict = await create(districtAdmin, {
      username: uniqueName('zhou'),
      displayName: '周',
      role: 'operator',
      orgUnitId: tree.stations.a2s1.id,
    });
    expect(otherDistrict.status).toBe(403);
    const wideSupervisor = await create(districtAdmin, {
      username: uniqueName('liang'),
      displayName: '梁',
      role: 'supervisor',
      orgUnitId: tree.stations.a1s1.id,
      supervisedStationIds: [tree.stations.a1s2.id, tree.stations.b1s1.id],
    });
    expect(wideSupervisor.status).toBe(403);
    expect(wideSupervisor.body.message).toMatch(/supervisedStationIds/);

    const own = await create(districtAdmin, {
      username: uniqueName('huang'),
      displayName: '黄',
      role: 'coordinator',
      orgUnitId: tree.districts.a1,
    });
    expect(own.status).toBe(201);
    // Moving their own person out of the district is a wider grant too.
    const out = await api(stack.url, 'PATCH', `/admin/users/${own.body.user.id}`, {
      token: districtAdmin,
      body: { orgUnitId: tree.districts.a2 },
    });
    expect(out.status).toBe(403);

    const list = await api(stack.url, 'GET', '/admin/users?pageSize=200', { token: districtAdmin });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    const allowed = new Set([tree.districts.a1, tree.stations.a1s1.id, tree.stations.a1s2.id]);
    for (const u of list.body.items) expect(allowed.has(u.orgUnitId)).toBe(true);
    expect(
      (await api(stack.url, 'GET', `/admin/users?orgUnitId=${tree.districts.a2}`, { token: districtAdmin })).status,
    ).toBe(404);

    // Non-admins get 403 on every admin route.
    const coordinator = await login(stack.url, (await tree.user('coordinator', tree.districts.a1)).username);
    expect((await api(stack.url, 'GET', '/admin/users', { token: coordinator })).status).toBe(403);
  });

  it('lists with filters and exports the import columns as CSV, never a password', async () => {
    const tag = uniqueName('exp');
    for (const [i, role] of (['operator', 'operator', 'coordinator'] as const).entries()) {
      const r = await create(cityAdmin, {
        username: `${tag}-${i}`,
        displayName: `导出${i}`,
        role,
        orgUnitId: tree.stations.a1s2.id,
        languages: ['yue'],
        skills: ['elderly', 'children'],
      });
      expect(r.status).toBe(201);
    }
    const page = await api(stack.url, 'GET', `/admin/users?search=${tag}&role=operator&page=1&pageSize=1`, {
      token: cityAdmin,
    });
    expect(page.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(page.body.items[0].username).toBe(`${tag}-0`);
    expect((await api(stack.url, 'GET', '/admin/users?pageSize=1000', { token: cityAdmin })).status).toBe(400);

    const res = await fetch(`${stack.url}/api/admin/users/export?search=${tag}`, {
      headers: { authorization: `Bearer ${cityAdmin}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('username,displayName,role,orgUnitCode,languages,skills');
    expect(lines.slice(1)).toEqual(
      [0, 1, 2].map(
        (i) =>
          `${tag}-${i},导出${i},${i < 2 ? 'operator' : 'coordinator'},${tree.stations.a1s2.id},yue,elderly|children`,
      ),
    );
  });

  it('nobody deactivates themselves or changes their own role', async () => {
    const me = (await api(stack.url, 'GET', '/me', { token: districtAdmin })).body;
    const r = await api(stack.url, 'PATCH', `/admin/users/${me.id}`, { token: districtAdmin, body: { active: false } });
    expect(r.status).toBe(409);
    expect((await api(stack.url, 'GET', '/me', { token: districtAdmin })).status).toBe(200);
  });
});
