import { TestTree, createTree } from '../support/fixtures';
import { Stack, api, login, startStack } from '../support/stack';

/**
 * Every administration change is in the audit log (issue 11): who, what, before → after, when, from where; read
 * through GET /api/admin/audit-log by admins whose part of the organisation holds it, and by nobody else.
 */
describe('administration: the audit of admin changes', () => {
  let stack: Stack;
  let tree: TestTree;

  beforeAll(async () => {
    stack = await startStack();
    tree = await createTree(stack.app);
  });
  afterAll(async () => stack.close());

  const UA = 'kapok-admin-audit-test/1.0';
  const call = (token: string, method: string, path: string, body?: unknown) =>
    api(stack.url, method, path, { token, body, headers: { 'user-agent': UA } });

  it('says who changed what, before → after, when and from where; to admins of that scope only', async () => {
    const cityAdminUser = await tree.user('admin', tree.cityId);
    const a1AdminUser = await tree.user('admin', tree.districts.a1);
    const cityAdmin = await login(stack.url, cityAdminUser.username);
    const a1Admin = await login(stack.url, a1AdminUser.username);
    const a2Admin = await login(stack.url, (await tree.user('admin', tree.districts.a2)).username);

    const started = new Date().toISOString();
    const renamed = await call(cityAdmin, 'PATCH', `/admin/org-units/${tree.stations.a1s1.id}`, { name: '改名站' });
    expect(renamed.status).toBe(200);
    const added = await call(a1Admin, 'POST', '/admin/org-units', {
      parentId: tree.districts.a1,
      level: 'station',
      name: '新站',
    });
    const line = await call(a1Admin, 'POST', '/admin/hotlines', {
      number: `T-audit-${Date.now()}`,
      name: '线',
      stationId: added.body.id,
    });
    const key = await call(cityAdmin, 'POST', '/admin/intake-keys', { name: '全市网关' });
    const refused = await call(a1Admin, 'PATCH', `/admin/org-units/${tree.stations.a2s1.id}`, { name: 'x' });
    expect([added.status, line.status, key.status, refused.status]).toEqual([201, 201, 201, 404]);

    const read = async (token: string, query = '') =>
      (await call(token, 'GET', `/admin/audit-log?from=${encodeURIComponent(started)}${query}`)).body;
    const all = await read(cityAdmin);
    const rename = all.items.find(
      (r: any) => r.action === 'admin.org_unit.update' && r.subjectId === tree.stations.a1s1.id,
    );
    expect(rename).toMatchObject({
      actorId: cityAdminUser.id,
      actorName: cityAdminUser.username,
      actorRole: 'admin',
      subjectType: 'org_unit',
      unitId: tree.stations.a1s1.id,
      detail: { before: { name: expect.stringContaining('站a1s1') }, after: { name: '改名站' } },
      userAgent: UA,
      ip: expect.stringMatching(/127\.0\.0\.1/),
      at: expect.any(String),
    });
    const create = all.items.find((r: any) => r.action === 'admin.org_unit.create' && r.subjectId === added.body.id);
    expect(create).toMatchObject({
      actorId: a1AdminUser.id,
      detail: { before: null, after: { name: '新站', level: 'station', parentId: tree.districts.a1 } },
    });
    const lineRow = all.items.find((r: any) => r.action === 'admin.hotline.create');
    expect(lineRow).toMatchObject({ subjectId: line.body.id, unitId: added.body.id });
    const keyRow = all.items.find((r: any) => r.action === 'admin.intake_key.create');
    expect(keyRow).toMatchObject({ subjectId: key.body.id, unitId: null, detail: { after: { name: '全市网关' } } });
    expect(JSON.stringify(all)).not.toContain(key.body.key);
    // nothing written for the refused change
    expect(all.items.filter((r: any) => r.subjectId === tree.stations.a2s1.id)).toEqual([]);

    // the district admin reads the changes in their district (also the city admin's), not a key for every line
    const a1 = (await read(a1Admin)).items.map((r: any) => r.action + ' ' + r.subjectId);
    expect(a1.sort()).toEqual(
      [
        `admin.org_unit.update ${tree.stations.a1s1.id}`,
        `admin.org_unit.create ${added.body.id}`,
        `admin.hotline.create ${line.body.id}`,
      ].sort(),
    );
    // another district's admin reads none of it
    expect((await read(a2Admin)).items).toEqual([]);

    // filters: action, actor, time
    const byAction = await read(cityAdmin, '&action=admin.hotline.create,admin.intake_key.create');
    expect(byAction.items.map((r: any) => r.action).sort()).toEqual([
      'admin.hotline.create',
      'admin.intake_key.create',
    ]);
    const byActor = await read(cityAdmin, `&actorId=${a1AdminUser.id}`);
    expect(byActor.total).toBe(2);
    const paged = await read(cityAdmin, '&pageSize=1&page=2');
    expect(paged).toMatchObject({ page: 2, pageSize: 1, total: all.total });
    expect(paged.items).toHaveLength(1);
    const later = await read(cityAdmin, `&to=${encodeURIComponent(started)}`);
    expect(later.items).toEqual([]);
    const bad = await call(cityAdmin, 'GET', '/admin/audit-log?action=record.create');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toMatch(/action must be among/);

    // not for other roles; and the records' audit log does not mix them in
    const supervisor = await login(stack.url, (await tree.user('supervisor', tree.cityId)).username);
    expect((await call(supervisor, 'GET', '/admin/audit-log')).status).toBe(403);
    const records = await call(cityAdmin, 'GET', `/audit-log?from=${encodeURIComponent(started)}`);
    expect(records.status).toBe(200);
    expect(records.body.items.filter((r: any) => r.action.startsWith('admin.'))).toEqual([]);
  });
});
