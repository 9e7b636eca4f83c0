import { createHash, randomUUID } from 'node:crypto';
import { Db } from '../../libs/database/src';
import { ControllableClock } from '../support/clock';
import { api } from '../support/stack';
import { adminRig } from '../support/admin-rig';

/**
 * Intake keys through /api/admin/intake-keys (issue 11): issued for a gateway and a set of lines, shown once and
 * stored only as a digest, refused at once when revoked, rotated with an overlap (on the product's clock), last use
 * visible; delegation by scope.
 */
describe('administration: intake keys', () => {
  const clock = new ControllableClock();
  const rig = adminRig({}, { clock });
  const intake = (key: string, hotlineNumber: string) =>
    api(rig.stack.url, 'POST', '/contacts', { key, body: { hotlineNumber, channel: 'phone' } });
  const lineId = async (hotline: string) =>
    (await rig.call(rig.cityAdmin, 'GET', '/hotlines')).body.find((h: { number: string }) => h.number === hotline).id;

  it('issues a key for some lines, shown once and stored as a digest; it takes intake for those lines only', async () => {
    const a1s1 = await lineId(rig.tree.stations.a1s1.hotline);
    const issued = await rig.call(rig.cityAdmin, 'POST', '/intake-keys', { name: '越秀电话网关', hotlineIds: [a1s1] });
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({ id: expect.any(String), key: expect.stringMatching(/^kpk_[A-Za-z0-9_-]{43}$/) });
    const row = await rig.stack.app
      .get(Db)
      .one<Record<string, unknown>>('SELECT * FROM intake_keys WHERE id = $1', [issued.body.id]);
    expect(row!.key_hash).toBe(createHash('sha256').update(issued.body.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(issued.body.key);

    expect((await intake(issued.body.key, rig.tree.stations.a1s1.hotline)).status).toBe(201);
    const elsewhere = await intake(issued.body.key, rig.tree.stations.a2s1.hotline);
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.message).toMatch(/hotlineNumber: this intake key may not take intake for line/);

    const listed = (await rig.call(rig.cityAdmin, 'GET', '/intake-keys')).body.find(
      (k: { id: string }) => k.id === issued.body.id,
    );
    expect(listed).toEqual({
      id: issued.body.id,
      name: '越秀电话网关',
      hotlineIds: [a1s1],
      createdAt: expect.any(String),
      lastUsedAt: clock.now().toISOString(),
      revoked: false,
      revokedAt: null,
      rotatedAt: null,
      previousKeyValidUntil: null,
    });
    const text = JSON.stringify((await rig.call(rig.cityAdmin, 'GET', '/intake-keys')).body);
    expect(text).not.toContain(issued.body.key);
    expect(text).not.toContain(row!.key_hash as string);

    const bad = await rig.call(rig.cityAdmin, 'POST', '/intake-keys', { name: '', hotlineIds: [] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toMatch(/name must not be blank.*hotlineIds must name at least one line/);
    const unknown = await rig.call(rig.cityAdmin, 'POST', '/intake-keys', { name: 'x', hotlineIds: [randomUUID()] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/hotlineIds/);
  });

  it('a revoked key is refused at once (401)', async () => {
    const issued = await rig.call(rig.cityAdmin, 'POST', '/intake-keys', { name: '将撤销' });
    expect((await intake(issued.body.key, rig.tree.stations.b1s1.hotline)).status).toBe(201);
    const revoked = await rig.call(rig.cityAdmin, 'DELETE', `/intake-keys/${issued.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ revoked: true, revokedAt: expect.any(String) });
    expect((await intake(issued.body.key, rig.tree.stations.b1s1.hotline)).status).toBe(401);
    // again: still revoked, nothing else happens; a revoked key is not rotated back to life
    expect((await rig.call(rig.cityAdmin, 'DELETE', `/intake-keys/${issued.body.id}`)).status).toBe(200);
    expect((await rig.call(rig.cityAdmin, 'POST', `/intake-keys/${issued.body.id}/rotate`)).status).toBe(409);
    expect((await rig.call(rig.cityAdmin, 'DELETE', `/intake-keys/${randomUUID()}`)).status).toBe(404);
  });

  it('rotation: a new key at once, the old one accepted until the overlap ends', async () => {
    const issued = await rig.call(rig.cityAdmin, 'POST', '/intake-keys', { name: '轮换' });
    const old = issued.body.key;
    const first = await intake(old, rig.tree.stations.a1s1.hotline);
    const rotated = await rig.call(rig.cityAdmin, 'POST', `/intake-keys/${issued.body.id}/rotate`, {
      overlapSeconds: 60,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({
      id: issued.body.id,
      key: expect.stringMatching(/^kpk_/),
      previousKeyValidUntil: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    expect(rotated.body.key).not.toBe(old);
    const fresh = rotated.body.key;
    expect((await intake(fresh, rig.tree.stations.a1s1.hotline)).status).toBe(201);
    expect((await intake(old, rig.tree.stations.a1s1.hotline)).status).toBe(201);
    // the same key id: the gateway's retry with the new key finds the contact the old key created
    const retry = await api(rig.stack.url, 'POST', '/contacts', {
      key: fresh,
      body: { hotlineNumber: rig.tree.stations.a1s1.hotline, channel: 'phone', externalId: 'ext-1' },
    });
    const again = await api(rig.stack.url, 'POST', '/contacts', {
      key: old,
      body: { hotlineNumber: rig.tree.stations.a1s1.hotline, channel: 'phone', externalId: 'ext-1' },
    });
    expect([retry.status, again.status, again.body.id]).toEqual([201, 200, retry.body.id]);
    expect(first.status).toBe(201);

    clock.advance(61_000);
    expect((await intake(old, rig.tree.stations.a1s1.hotline)).status).toBe(401);
    expect((await intake(fresh, rig.tree.stations.a1s1.hotline)).status).toBe(201);

    const badOverlap = await rig.call(rig.cityAdmin, 'POST', `/intake-keys/${issued.body.id}/rotate`, {
      overlapSeconds: -1,
    });
    expect(badOverlap.status).toBe(400);
    expect(JSON.stringify(badOverlap.body.message)).toMatch(/overlapSeconds/);
    // the default overlap is a day
    const daily = await rig.call(rig.cityAdmin, 'POST', `/intake-keys/${issued.body.id}/rotate`);
    expect(daily.body.previousKeyValidUntil).toBe(new Date(clock.now().getTime() + 86_400_000).toISOString());
    expect((await intake(fresh, rig.tree.stations.a1s1.hotline)).status).toBe(201);
    expect((await intake(old, rig.tree.stations.a1s1.hotline)).status).toBe(401);
  });

  it("a district admin: keys for their district's lines only; other keys are 404", async () => {
    const mine = await lineId(rig.tree.stations.a1s1.hotline);
    const theirs = await lineId(rig.tree.stations.a2s1.hotline);
    const everyLine = await rig.call(rig.a1Admin, 'POST', '/intake-keys', { name: '全市' });
    expect(everyLine.status).toBe(403);
    expect(everyLine.body.message).toMatch(/hotlineIds/);
    const beyond = await rig.call(rig.a1Admin, 'POST', '/intake-keys', { name: 'x', hotlineIds: [mine, theirs] });
    expect(beyond.status).toBe(403);
    expect(beyond.body.message).toContain(rig.tree.stations.a2s1.hotline);
    const own = await rig.call(rig.a1Admin, 'POST', '/intake-keys', { name: 'a1 网关', hotlineIds: [mine] });
    expect(own.status).toBe(201);

    const cityKey = await rig.call(rig.cityAdmin, 'POST', '/intake-keys', { name: 'a2 网关', hotlineIds: [theirs] });
    const listed = (await rig.call(rig.a1Admin, 'GET', '/intake-keys')).body.map((k: { id: string }) => k.id);
    expect(listed).toContain(own.body.id);
    expect(listed).not.toContain(cityKey.body.id);
    expect(listed).not.toContain(rig.tree.intakeKeyId);
    expect((await rig.call(rig.a1Admin, 'DELETE', `/intake-keys/${cityKey.body.id}`)).status).toBe(404);
    expect((await rig.call(rig.a1Admin, 'POST', `/intake-keys/${rig.tree.intakeKeyId}/rotate`)).status).toBe(404);
    expect((await intake(cityKey.body.key, rig.tree.stations.a2s1.hotline)).status).toBe(201);
    expect((await rig.call(rig.a1Admin, 'DELETE', `/intake-keys/${own.body.id}`)).status).toBe(200);
  });
});
