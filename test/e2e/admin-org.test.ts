import { randomUUID } from 'node:crypto';
import { Db } from '../../libs/database/src';
import { api, login } from '../support/stack';
import { adminRig } from '../support/admin-rig';

/**
 * The organisation tree through /api/admin/org-units (issue 11): create, rename, move and close units (never
 * delete), refusals that name the field or what is attached, and delegation by scope (a district admin: 404 on
 * another district's units, 403 when reaching beyond their district).
 */
describe('administration: the org tree', () => {
  const rig = adminRig();
  const pathOf = async (id: string) =>
    (await rig.stack.app.get(Db).one<{ path: string }>('SELECT path FROM org_units WHERE id = $1', [id]))!.path;
  const code = () => `T-${randomUUID().slice(0, 8)}`;

  it('creates a region, a district, a station and a 村(居) point, each below a unit of the right level', async () => {
    const region = await rig.call(rig.cityAdmin, 'POST', '/org-units', {
      parentId: rig.tree.cityId,
      level: 'region',
      name: ' 新片区 ',
      code: code(),
    });
    expect(region.status).toBe(201);
    expect(region.body).toMatchObject({ level: 'region', parentId: rig.tree.cityId, name: '新片区', closed: false });
    const district = await rig.call(rig.cityAdmin, 'POST', '/org-units', {
      parentId: region.body.id,
      level: 'district',
      name: '新区',
    });
    expect(district.status).toBe(201);
    expect(district.body.code).toBeNull();
    const station = await rig.call(rig.cityAdmin, 'POST', '/org-units', {
      parentId: district.body.id,
      level: 'station',
      name: '新街社工站',
    });
    const point = await rig.call(rig.cityAdmin, 'POST', '/org-units', {
      parentId: station.body.id,
      level: 'point',
      name: '新村居委',
    });
    expect([station.status, point.status]).toEqual([201, 201]);
    expect(await pathOf(point.body.id)).toBe(`${await pathOf(station.body.id)}${point.body.id}/`);

    const listed = await rig.call(rig.cityAdmin, 'GET', '/org-units');
    expect(listed.status).toBe(200);
    const ids = listed.body.map((u: { id: string }) => u.id);
    // rig.tree order: parents first
    expect(ids.indexOf(region.body.id)).toBeLessThan(ids.indexOf(district.body.id));
    expect(ids.indexOf(station.body.id)).toBeLessThan(ids.indexOf(point.body.id));
    expect(listed.body.find((u: { id: string }) => u.id === station.body.id).attached).toEqual({
      openLines: 0,
      activePeople: 0,
      openUnits: 1,
    });
  });

  it('refuses bad input with a 4xx naming the field, and writes nothing', async () => {
    const before = (await rig.call(rig.cityAdmin, 'GET', '/org-units')).body.length;
    const bad = async (body: unknown, status: number, field: RegExp) => {
      const res = await rig.call(rig.cityAdmin, 'POST', '/org-units', body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect(JSON.stringify(res.body.message)).toMatch(field);
    };
    await bad(
      { parentId: rig.tree.regions.a, level: 'station', name: '站' },
      400,
      /parentId: a station belongs to a district/,
    );
    await bad({ parentId: rig.tree.stations.a1s1.id, level: 'district', name: '区' }, 400, /parentId/);
    await bad({ parentId: rig.tree.cityId, level: 'city', name: '市' }, 400, /level must be one of/);
    await bad({ parentId: rig.tree.cityId, level: 'region', name: '   ' }, 400, /name must not be blank/);
    await bad({ parentId: rig.tree.cityId, level: 'region', name: 'x'.repeat(101) }, 400, /name must be at most 100/);
    await bad({ parentId: 'nope', level: 'region', name: '片区' }, 400, /parentId must be a UUID/);
    await bad({ parentId: rig.tree.cityId, level: 'region', name: '片区', code: 'a b' }, 400, /code must be/);
    await bad({ parentId: rig.tree.cityId, level: 'region', name: '片区', extra: 1 }, 400, /extra should not exist/);
    await bad({ parentId: randomUUID(), level: 'region', name: '片区' }, 404, /parentId: org unit .* not found/);
    const taken = code();
    expect(
      (
        await rig.call(rig.cityAdmin, 'POST', '/org-units', {
          parentId: rig.tree.cityId,
          level: 'region',
          name: 'r',
          code: taken,
        })
      ).status,
    ).toBe(201);
    await bad(
      { parentId: rig.tree.cityId, level: 'region', name: 'r2', code: taken.toLowerCase() },
      409,
      /code: .* already another unit's code/,
    );
    expect((await rig.call(rig.cityAdmin, 'GET', '/org-units')).body.length).toBe(before + 1);
    const patch = await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${rig.tree.stations.a1s1.id}`, { name: null });
    expect(patch.status).toBe(400);
    expect(JSON.stringify(patch.body.message)).toMatch(/name must be a string/);
  });

  it('renames and moves a unit; the whole subtree follows in one go', async () => {
    const station = rig.tree.stations.a1s2.id;
    const point = await rig.call(rig.cityAdmin, 'POST', '/org-units', {
      parentId: station,
      level: 'point',
      name: '村',
    });
    const renamed = await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${station}`, {
      name: '改名社工站',
      code: code(),
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('改名社工站');

    const moved = await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${station}`, { parentId: rig.tree.districts.a2 });
    expect(moved.status).toBe(200);
    expect(moved.body.parentId).toBe(rig.tree.districts.a2);
    const a2Path = await pathOf(rig.tree.districts.a2);
    expect(await pathOf(station)).toBe(`${a2Path}${station}/`);
    expect(await pathOf(point.body.id)).toBe(`${a2Path}${station}/${point.body.id}/`);
    // the access policy follows: a coordinator of a2 now sees the station, one of a1 no longer does
    const a2Coordinator = await login(
      rig.stack.url,
      (await rig.tree.user('coordinator', rig.tree.districts.a2)).username,
    );
    const a1Coordinator = await login(
      rig.stack.url,
      (await rig.tree.user('coordinator', rig.tree.districts.a1)).username,
    );
    const seen = async (token: string) =>
      (await api(rig.stack.url, 'GET', '/org-units', { token })).body.map((u: { id: string }) => u.id);
    expect(await seen(a2Coordinator)).toEqual(expect.arrayContaining([station, point.body.id]));
    expect(await seen(a1Coordinator)).not.toContain(station);

    const loop = await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${rig.tree.regions.a}`, {
      parentId: rig.tree.districts.a1,
    });
    expect(loop.status).toBe(400);
    expect(JSON.stringify(loop.body.message)).toMatch(/parentId/);
    const wrongLevel = await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${station}`, {
      parentId: rig.tree.regions.b,
    });
    expect(wrongLevel.status).toBe(400);
    expect(await pathOf(station)).toBe(`${a2Path}${station}/`);
  });

  it('closes a unit only when nothing is attached (409 naming it); closed units take nothing new', async () => {
    const station = (
      await rig.call(rig.cityAdmin, 'POST', '/org-units', {
        parentId: rig.tree.districts.b1,
        level: 'station',
        name: '将关闭社工站',
      })
    ).body.id;
    const point = (
      await rig.call(rig.cityAdmin, 'POST', '/org-units', { parentId: station, level: 'point', name: '村居' })
    ).body.id;
    const number = `T-${randomUUID().slice(0, 8)}`;
    const line = await rig.call(rig.cityAdmin, 'POST', '/hotlines', { number, name: '线', stationId: station });
    const person = await rig.tree.user('operator', station);

    const refused = await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${station}`, { closed: true });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(number);
    expect(refused.body.message).toContain(person.username);
    expect(refused.body.message).toContain('村居');
    expect(refused.body.message).toMatch(/1 open line.*1 active people.*1 open unit/);

    // the district above cannot close while the station is open
    const district = await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${rig.tree.districts.b1}`, { closed: true });
    expect(district.status).toBe(409);
    expect(district.body.message).toMatch(/open unit/);

    expect((await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${point}`, { closed: true })).status).toBe(200);
    expect((await rig.call(rig.cityAdmin, 'PATCH', `/hotlines/${line.body.id}`, { suspended: true })).status).toBe(200);
    await rig.stack.app.get(Db).run('UPDATE users SET active = false WHERE id = $1', [person.id]);
    const closed = await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${station}`, { closed: true });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ closed: true, attached: { openLines: 0, activePeople: 0, openUnits: 0 } });
    expect(closed.body.closedAt).toEqual(expect.any(String));

    // never deleted: still listed, flagged; nothing new goes below it
    const all = (await rig.call(rig.cityAdmin, 'GET', '/org-units')).body.find((u: { id: string }) => u.id === station);
    expect(all).toMatchObject({ closed: true });
    const open = (await rig.call(rig.cityAdmin, 'GET', '/org-units?includeClosed=false')).body.map(
      (u: { id: string }) => u.id,
    );
    expect(open).not.toContain(station);
    const below = await rig.call(rig.cityAdmin, 'POST', '/org-units', {
      parentId: station,
      level: 'point',
      name: '新村',
    });
    expect(below.status).toBe(409);
    expect(below.body.message).toMatch(/parentId: .* is closed/);
    const newLine = await rig.call(rig.cityAdmin, 'POST', '/hotlines', {
      number: `${number}-2`,
      name: '线',
      stationId: station,
    });
    expect(newLine.status).toBe(409);
    const resume = await rig.call(rig.cityAdmin, 'PATCH', `/hotlines/${line.body.id}`, { suspended: false });
    expect(resume.status).toBe(409);
    expect(resume.body.message).toMatch(/closed/);
    // reopening: the point cannot reopen below a closed station; the station can
    expect((await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${point}`, { closed: false })).status).toBe(409);
    expect((await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${station}`, { closed: false })).body.closed).toBe(
      false,
    );
  });

  it("a district admin manages their district only: 404 on another district's units, 403 beyond their reach", async () => {
    const listed = (await rig.call(rig.a1Admin, 'GET', '/org-units')).body.map((u: { id: string }) => u.id);
    expect(listed.sort()).toEqual([rig.tree.districts.a1, rig.tree.stations.a1s1.id, rig.tree.stations.a1s2.id].sort());

    // in reach: add a station and a point, rename
    const station = await rig.call(rig.a1Admin, 'POST', '/org-units', {
      parentId: rig.tree.districts.a1,
      level: 'station',
      name: '站',
    });
    expect(station.status).toBe(201);
    expect(
      (await rig.call(rig.a1Admin, 'PATCH', `/org-units/${rig.tree.stations.a1s1.id}`, { name: '改名' })).status,
    ).toBe(200);

    // another district's unit: as if it did not exist
    const other = await rig.call(rig.a1Admin, 'PATCH', `/org-units/${rig.tree.stations.a2s1.id}`, { name: '越权' });
    expect(other.status).toBe(404);
    expect((await rig.call(rig.a1Admin, 'PATCH', `/org-units/${rig.tree.cityId}`, { name: '越权' })).status).toBe(404);
    // creating or moving beyond the reach: 403
    const outside = await rig.call(rig.a1Admin, 'POST', '/org-units', {
      parentId: rig.tree.districts.a2,
      level: 'station',
      name: '站',
    });
    expect(outside.status).toBe(403);
    expect(outside.body.message).toMatch(/parentId/);
    const region = await rig.call(rig.a1Admin, 'POST', '/org-units', {
      parentId: rig.tree.cityId,
      level: 'region',
      name: '片区',
    });
    expect(region.status).toBe(403);
    const away = await rig.call(rig.a1Admin, 'PATCH', `/org-units/${rig.tree.stations.a1s1.id}`, {
      parentId: rig.tree.districts.a2,
    });
    expect(away.status).toBe(403);
    // their own district's place in the rig.tree belongs to the admins above it
    expect((await rig.call(rig.a1Admin, 'PATCH', `/org-units/${rig.tree.districts.a1}`, { closed: true })).status).toBe(
      403,
    );
    expect(
      (await rig.call(rig.a1Admin, 'PATCH', `/org-units/${rig.tree.districts.a1}`, { parentId: rig.tree.regions.b }))
        .status,
    ).toBe(403);
    expect(await pathOf(rig.tree.stations.a2s1.id)).toContain(rig.tree.districts.a2);
    // not an admin at all: 403
    const coordinator = await login(rig.stack.url, (await rig.tree.user('coordinator', rig.tree.cityId)).username);
    expect((await rig.call(coordinator, 'GET', '/org-units')).status).toBe(403);
  });
});
