import { Db } from '../../libs/database/src';
import { OrgRepository } from '../../libs/org/src';
import { createTree } from '../support/fixtures';
import { Stack, api, login, sleep, startStack } from '../support/stack';

/**
 * `GET /api/delivering-stations`: the stations an outcome may name to deliver material aid — every open station of
 * the person's city (not only their own part of it), with the districts to group them. (An outcome naming another
 * station gives it the aid request: records-workflow.test.ts.)
 */
describe('delivering stations for material aid', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  it("lists every open station and district of the operator's city, nothing closed, nothing of another city", async () => {
    const tree = await createTree(stack.app);
    const other = await createTree(stack.app); // another city: never listed
    const op = await tree.operator('a1s1');
    const token = await login(stack.url, op.username);
    const org = stack.app.get(OrgRepository);
    await stack.app.get(Db).tx((tx) => org.updateUnit(tree.stations.a2s1.id, { closedAt: new Date() }, tx));

    const res = await api(stack.url, 'GET', '/delivering-stations', { token });
    expect(res.status).toBe(200);
    const ids = res.body.map((u: any) => u.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        tree.stations.a1s1.id,
        tree.stations.a1s2.id,
        tree.stations.b1s1.id,
        tree.districts.a1,
        tree.districts.b1,
      ]),
    );
    expect(ids).not.toContain(tree.stations.a2s1.id); // closed
    expect(ids).not.toContain(other.stations.a1s1.id);
    expect(new Set(res.body.map((u: any) => u.level))).toEqual(new Set(['district', 'station']));
    expect(res.body.find((u: any) => u.id === tree.stations.b1s1.id)).toMatchObject({ parentId: tree.districts.b1 });

    // Without a token: 401.
    expect((await api(stack.url, 'GET', '/delivering-stations')).status).toBe(401);
  });
});
