import { randomUUID } from 'node:crypto';
import { Db } from '../../libs/database/src';
import { api } from '../support/stack';
import { adminRig } from '../support/admin-rig';

/**
 * Lines through /api/admin/hotlines (issue 11): create, move, suspend and resume (a suspended line's intake → 409
 * saying so), the CSV import (all or nothing, every bad row named), and delegation by scope.
 */
describe('administration: lines', () => {
  const rig = adminRig();
  const number = () => `T-${randomUUID().slice(0, 8)}`;
  const intake = (hotlineNumber: string) =>
    api(rig.stack.url, 'POST', '/contacts', { key: rig.tree.intakeKey, body: { hotlineNumber, channel: 'phone' } });
  const postCsv = (token: string, csv: string, contentType = 'text/csv') =>
    fetch(`${rig.stack.url}/api/admin/hotlines/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: csv,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const numbersInDb = async (numbers: string[]) =>
    (
      await rig.stack.app
        .get(Db)
        .rows<{ number: string }>('SELECT number FROM hotlines WHERE number = ANY($1::text[])', [numbers])
    ).map((r) => r.number);

  it('adds a line at a station; a taken number is 409, a wrong field 4xx naming it', async () => {
    const n = number();
    const created = await rig.call(rig.cityAdmin, 'POST', '/hotlines', {
      number: n,
      name: '新热线',
      stationId: rig.tree.stations.a1s1.id,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: n, stationId: rig.tree.stations.a1s1.id, suspended: false });
    expect((await intake(n)).status).toBe(201);

    const dup = await rig.call(rig.cityAdmin, 'POST', '/hotlines', {
      number: n,
      name: '重复',
      stationId: rig.tree.stations.a2s1.id,
    });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toMatch(/number: .* already a line/);
    const atDistrict = await rig.call(rig.cityAdmin, 'POST', '/hotlines', {
      number: number(),
      name: 'x',
      stationId: rig.tree.districts.a1,
    });
    expect(atDistrict.status).toBe(400);
    expect(JSON.stringify(atDistrict.body.message)).toMatch(/stationId: lines belong to stations/);
    const unknown = await rig.call(rig.cityAdmin, 'POST', '/hotlines', {
      number: number(),
      name: 'x',
      stationId: randomUUID(),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/stationId/);
    const badNumber = await rig.call(rig.cityAdmin, 'POST', '/hotlines', {
      number: '020 8100',
      name: 'x',
      stationId: rig.tree.stations.a1s1.id,
    });
    expect(badNumber.status).toBe(400);
    expect(JSON.stringify(badNumber.body.message)).toMatch(/number must be/);
    const missing = await rig.call(rig.cityAdmin, 'POST', '/hotlines', { number: number() });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.message)).toMatch(/name must be a string.*stationId must be a UUID/);

    const listed = (await rig.call(rig.cityAdmin, 'GET', '/hotlines')).body.map((h: { number: string }) => h.number);
    expect(listed).toEqual(expect.arrayContaining([n, rig.tree.stations.b1s1.hotline]));
  });

  it('moves a line; a suspended line refuses intake with 409 saying so, until resumed', async () => {
    const line = (await rig.call(rig.cityAdmin, 'GET', '/hotlines')).body.find(
      (h: { number: string }) => h.number === rig.tree.stations.a1s1.hotline,
    );
    const moved = await rig.call(rig.cityAdmin, 'PATCH', `/hotlines/${line.id}`, {
      stationId: rig.tree.stations.b1s1.id,
      name: '改名',
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stationId: rig.tree.stations.b1s1.id, name: '改名' });
    const contact = await intake(line.number);
    expect(contact.status).toBe(201);
    expect(contact.body.stationId).toBe(rig.tree.stations.b1s1.id);

    const suspended = await rig.call(rig.cityAdmin, 'PATCH', `/hotlines/${line.id}`, { suspended: true });
    expect(suspended.body).toMatchObject({ suspended: true, suspendedAt: expect.any(String) });
    const refused = await intake(line.number);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/suspended/);

    expect((await rig.call(rig.cityAdmin, 'PATCH', `/hotlines/${line.id}`, { suspended: false })).body.suspended).toBe(
      false,
    );
    expect((await intake(line.number)).status).toBe(201);
    const bad = await rig.call(rig.cityAdmin, 'PATCH', `/hotlines/${line.id}`, { suspended: 'yes' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toMatch(/suspended must be true or false/);
    expect((await rig.call(rig.cityAdmin, 'PATCH', `/hotlines/${randomUUID()}`, { name: 'x' })).status).toBe(404);
  });

  it('imports lines from CSV all or nothing: one bad row changes nothing and is named', async () => {
    const code = `S-${randomUUID().slice(0, 8)}`;
    expect((await rig.call(rig.cityAdmin, 'PATCH', `/org-units/${rig.tree.stations.a1s2.id}`, { code })).status).toBe(
      200,
    );
    const [n1, n2, n3] = [number(), number(), number()];
    const rows = [
      'number,stationCode,name',
      `${n1},${code},热线一`,
      `${n2},NO-SUCH-CODE,热线二`,
      `${n3},${rig.tree.stations.b1s1.id},热线三`,
      `${rig.tree.stations.a2s1.hotline},${code},已有号码`,
      `${n1},${code},重复`,
      `,${code},`,
    ];
    const refused = await postCsv(rig.cityAdmin, rows.join('\n'));
    expect(refused.status).toBe(400);
    const messages: string[] = refused.body.message;
    expect(messages).toEqual([
      expect.stringMatching(/^line 3: stationCode NO-SUCH-CODE/),
      expect.stringMatching(/^line 5: number .* is already a line/),
      expect.stringMatching(/^line 6: number .* is also on line 2/),
      expect.stringMatching(/^line 7: number is empty; .*name is empty/),
    ]);
    expect(await numbersInDb([n1, n2, n3])).toEqual([]);

    const ok = await postCsv(
      rig.cityAdmin,
      [rows[0], rows[1], `${n2},${code.toLowerCase()},热线二`, rows[3]].join('\r\n'),
    );
    expect(ok.status).toBe(201);
    expect(ok.body.created).toBe(3);
    expect(ok.body.hotlines.map((h: { stationId: string }) => h.stationId)).toEqual([
      rig.tree.stations.a1s2.id,
      rig.tree.stations.a1s2.id,
      rig.tree.stations.b1s1.id,
    ]);
    expect((await numbersInDb([n1, n2, n3])).sort()).toEqual([n1, n2, n3].sort());
    expect((await intake(n3)).status).toBe(201);

    expect((await postCsv(rig.cityAdmin, 'number,name\n1,x')).body.message).toEqual(['missing column(s): stationCode']);
    const json = await api(rig.stack.url, 'POST', '/admin/hotlines/import', {
      token: rig.cityAdmin,
      body: { csv: 'x' },
    });
    expect(json.status).toBe(415);
  });

  it("a district admin: lines of their district only (404 for another's, 403 to put one beyond their reach)", async () => {
    const lines = (await rig.call(rig.a1Admin, 'GET', '/hotlines')).body.map((h: { number: string }) => h.number);
    expect(lines.sort()).toEqual([rig.tree.stations.a1s1.hotline, rig.tree.stations.a1s2.hotline].sort());
    const other = (await rig.call(rig.cityAdmin, 'GET', '/hotlines')).body.find(
      (h: { number: string }) => h.number === rig.tree.stations.a2s1.hotline,
    );
    expect((await rig.call(rig.a1Admin, 'PATCH', `/hotlines/${other.id}`, { suspended: true })).status).toBe(404);
    const mine = (await rig.call(rig.a1Admin, 'GET', '/hotlines')).body[0];
    const away = await rig.call(rig.a1Admin, 'PATCH', `/hotlines/${mine.id}`, { stationId: rig.tree.stations.a2s1.id });
    expect(away.status).toBe(403);
    expect(away.body.message).toMatch(/stationId/);
    const create = await rig.call(rig.a1Admin, 'POST', '/hotlines', {
      number: number(),
      name: 'x',
      stationId: rig.tree.stations.b1s1.id,
    });
    expect(create.status).toBe(403);
    const n = number();
    const csv = await postCsv(rig.a1Admin, `number,stationCode,name\n${n},${rig.tree.stations.a2s1.id},x\n`);
    expect(csv.status).toBe(400);
    expect(csv.body.message).toEqual([
      expect.stringMatching(/^line 2: stationCode .* is not a station you administer/),
    ]);
    expect(await numbersInDb([n])).toEqual([]);
    expect(
      (await rig.call(rig.a1Admin, 'POST', '/hotlines', { number: n, name: 'x', stationId: rig.tree.stations.a1s2.id }))
        .status,
    ).toBe(201);
  });
});
