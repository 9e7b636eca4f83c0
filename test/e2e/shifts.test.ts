import { CoverageWatch } from '../../libs/shifts/src';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { TestTree, createTree } from '../support/fixtures';

describe('rosters and coverage gaps', () => {
  let stack: Stack;
  let tree: TestTree;
  let coordinator: string;
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    stack = await startStack({ COVERAGE_CHECK_SECONDS: '3600' });
  });
  beforeEach(async () => {
    tree = await createTree(stack.app);
    coordinator = await login(stack.url, (await tree.user('coordinator', tree.districts.a1)).username);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  const station = () => tree.stations.a1s1.id;
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();

  it('a coordinator adds, lists and removes shifts of a station in their district', async () => {
    const op = await tree.operator('a1s1');
    const created = await api(stack.url, 'POST', `/stations/${station()}/shifts`, {
      token: coordinator,
      body: { workerId: op.id, startsAt: iso(now), endsAt: iso(now + 8 * 3600e3) },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ workerId: op.id, username: op.username, stationId: station() });
    const list = await api(
      stack.url,
      'GET',
      `/stations/${station()}/shifts?from=${iso(now - 3600e3)}&to=${iso(now + 86400e3)}`,
      {
        token: coordinator,
      },
    );
    expect(list.body.map((s: { id: string }) => s.id)).toEqual([created.body.id]);
    expect((await api(stack.url, 'DELETE', `/shifts/${created.body.id}`, { token: coordinator })).status).toBe(204);
  });

  it('refuses what is wrong: operators cannot edit, other districts see nothing, bad times are 400', async () => {
    const op = await tree.operator('a1s1');
    const opToken = await login(stack.url, op.username);
    const body = { workerId: op.id, startsAt: iso(now), endsAt: iso(now + 3600e3) };
    expect((await api(stack.url, 'POST', `/stations/${station()}/shifts`, { token: opToken, body })).status).toBe(403);
    const outsider = await login(stack.url, (await tree.user('coordinator', tree.districts.b1)).username);
    expect((await api(stack.url, 'POST', `/stations/${station()}/shifts`, { token: outsider, body })).status).toBe(404);
    const backwards = await api(stack.url, 'POST', `/stations/${station()}/shifts`, {
      token: coordinator,
      body: { ...body, endsAt: iso(now - 1000) },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toMatch(/endsAt/);
    const notHere = await tree.operator('a2s1');
    const stranger = await api(stack.url, 'POST', `/stations/${station()}/shifts`, {
      token: coordinator,
      body: { ...body, workerId: notHere.id },
    });
    expect(stranger.status).toBe(400);
    expect(stranger.body.message).toMatch(/workerId/);
  });

  it('imports a month roster from CSV, all or nothing', async () => {
    const a = await tree.operator('a1s1');
    const b = await tree.operator('a1s1');
    // next month (Asia/Shanghai), as a coordinator prepares it
    const today = new Date(Date.now() + 8 * 3600e3);
    const [y, m] = [today.getUTCFullYear(), today.getUTCMonth() + 1]; // m: next month, 0-based
    const month = `${new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7)}`;
    const following = `${new Date(Date.UTC(y, m + 1, 1)).toISOString().slice(0, 7)}`;
    const days = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    const range = `from=${month}-01T00:00:00%2B08:00&to=${following}-01T00:00:00%2B08:00`;
    const rows = ['username,date,start,end'];
    for (let d = 1; d <= days; d++) {
      const date = `${month}-${String(d).padStart(2, '0')}`;
      rows.push(`${a.username},${date},08:00,20:00`, `${b.username},${date},20:00,08:00`);
    }
    const csv = rows.join('\n');
    const post = (text: string, q = '') =>
      fetch(`${stack.url}/api/stations/${station()}/shifts/import${q}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${coordinator}`, 'content-type': 'text/csv' },
        body: text,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const ok = await post(csv);
    expect(ok).toMatchObject({ status: 201, body: { imported: 2 * days, replaced: 0 } });
    const list = await api(stack.url, 'GET', `/stations/${station()}/shifts?${range}`, { token: coordinator });
    expect(list.body).toHaveLength(2 * days);
    // the night shift of the 1st: 20:00 to 08:00 the next morning, Shanghai time
    expect(list.body[1]).toMatchObject({
      username: b.username,
      startsAt: new Date(`${month}-01T20:00:00+08:00`).toISOString(),
      endsAt: new Date(`${month}-02T08:00:00+08:00`).toISOString(),
    });

    const line = 2 * days + 2; // the header, then two lines a day
    const bad = await post(`${csv}\nnobody,${month}-05,08:00,09:00\n${a.username},${month}-5,8:00,09:00`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`line ${line}: nobody is not an operator`)),
        expect.stringMatching(new RegExp(`line ${line + 1}: date`)),
      ]),
    );
    const again = await api(stack.url, 'GET', `/stations/${station()}/shifts?${range}`, { token: coordinator });
    expect(again.body).toHaveLength(2 * days); // nothing written by the bad import
    expect((await post(csv, '?replace=true')).body).toEqual({ imported: 2 * days, replaced: 2 * days });
  });

  it('opens a gap when a rostered station has nobody signed in, and closes it when someone signs in', async () => {
    const op = await tree.operator('a1s1');
    await api(stack.url, 'POST', `/stations/${station()}/shifts`, {
      token: coordinator,
      body: { workerId: op.id, startsAt: iso(Date.now() - 60e3), endsAt: iso(Date.now() + 3600e3) },
    });
    const watch = stack.app.get(CoverageWatch);
    const first = await watch.check();
    const ours = <G extends { unitId: string }>(gaps: G[]) =>
      gaps.filter(
        (g) =>
          Object.values(tree.stations).some((s) => s.id === g.unitId) ||
          Object.values(tree.districts).includes(g.unitId),
      );
    expect(ours(first.opened)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unitId: station(), kind: 'nobody_signed_in' }),
        expect.objectContaining({ unitId: tree.districts.a2, kind: 'nobody_rostered' }),
        expect.objectContaining({ unitId: tree.districts.b1, kind: 'nobody_rostered' }),
      ]),
    );
    expect(ours(first.opened).some((g) => g.unitId === tree.districts.a1)).toBe(false); // a1 is rostered
    expect(ours((await watch.check()).opened)).toEqual([]); // raised once, as it starts

    const listed = await api(stack.url, 'GET', '/coverage-gaps', { token: coordinator });
    expect(listed.body.map((g: { unitId: string }) => g.unitId)).toContain(station());
    expect(listed.body.map((g: { unitId: string }) => g.unitId)).not.toContain(tree.districts.b1); // not their district

    const sock = await AgentClient.connect(stack.url, await login(stack.url, op.username));
    clients.push(sock);
    const after = await watch.check();
    expect(ours(after.closed)).toEqual([expect.objectContaining({ unitId: station(), kind: 'nobody_signed_in' })]);
    expect(ours(after.closed)[0].endedAt).toBeTruthy();
  });
});
