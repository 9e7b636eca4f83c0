import { Db } from '../../libs/database/src';
import { OrgRepository } from '../../libs/org/src';
import { Stack, sleep, startStack } from '../support/stack';
import {
  AID_OUTCOME,
  RecordsWorld,
  answeredContact,
  api,
  count,
  messageOf,
  recordedContact,
  recordsWorld,
} from './records.support';

/**
 * Material aid delivered by a 村(居) point (issues 11 and 14): `materialAid.deliveringPointId` in the outcome and in
 * amendments, checked against the delivering station, kept on the aid request (`aid_requests.delivering_point_id`)
 * and shown with it; the delivering station's people still deliver. `GET /api/delivering-stations?points=true`
 * offers the open points.
 */
describe('material aid delivered by a 村(居) point', () => {
  let stack: Stack;
  let db: Db;
  let w: RecordsWorld;
  /** Points of a1s2: p1, p2 open, closed one closed; of a1s1: own. */
  const points = { p1: '', p2: '', closed: '', own: '' };

  beforeAll(async () => {
    stack = await startStack();
    db = stack.app.get(Db);
    w = await recordsWorld(stack);
    const org = stack.app.get(OrgRepository);
    const point = async (name: string, stationId: string) =>
      (await org.createUnit({ name: `${name}-${stationId.slice(0, 6)}`, level: 'point', parentId: stationId })).id;
    points.p1 = await point('西湖社区', w.tree.stations.a1s2.id);
    points.p2 = await point('东风村', w.tree.stations.a1s2.id);
    points.closed = await point('旧社区', w.tree.stations.a1s2.id);
    points.own = await point('本站社区', w.tree.stations.a1s1.id);
    await db.tx((tx) => org.updateUnit(points.closed, { closedAt: new Date() }, tx));
  });
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  const get = (token: string, path: string) => api(stack.url, 'GET', path, { token });
  const post = (token: string, path: string, body: unknown = {}) => api(stack.url, 'POST', path, { token, body });
  const put = (token: string, path: string, body: unknown) => api(stack.url, 'PUT', path, { token, body });
  const aidOf = async (contactId: string) =>
    (await db.one<{ id: string; delivering_station_id: string; delivering_point_id: string | null }>(
      'SELECT id, delivering_station_id, delivering_point_id FROM aid_requests WHERE contact_id = $1',
      [contactId],
    ))!;
  const withAid = (aid: object) => ({ ...AID_OUTCOME, materialAid: { ...AID_OUTCOME.materialAid, ...aid } });

  it('offers the open points of every station with ?points=true, nothing closed; none without it', async () => {
    const res = await get(w.op1.token, '/delivering-stations?points=true');
    expect(res.status).toBe(200);
    const p1 = res.body.find((u: any) => u.id === points.p1);
    expect(p1).toMatchObject({ level: 'point', parentId: w.tree.stations.a1s2.id });
    expect(p1.name).toContain('西湖社区');
    const ids = res.body.map((u: any) => u.id);
    expect(ids).toEqual(expect.arrayContaining([points.p2, points.own, w.tree.stations.a1s2.id, w.tree.districts.a1]));
    expect(ids).not.toContain(points.closed);

    const plain = await get(w.op1.token, '/delivering-stations');
    expect(new Set(plain.body.map((u: any) => u.level))).toEqual(new Set(['district', 'station']));
    expect((await get(w.op1.token, '/delivering-stations?points=yes')).status).toBe(400);
  });

  it('a point of the delivering station is kept on the aid request and shown in that station’s list', async () => {
    const id = await recordedContact(
      stack,
      w.tree,
      w.op1,
      withAid({ deliveringStationId: w.tree.stations.a1s2.id, deliveringPointId: points.p1 }),
    );
    const row = await aidOf(id);
    expect(row).toMatchObject({ delivering_station_id: w.tree.stations.a1s2.id, delivering_point_id: points.p1 });

    // the delivering station's people see it, with the point, and act on it
    const list = await get(w.opS2.token, '/aid-requests?pageSize=100');
    const mine = list.body.items.find((a: any) => a.id === row.id);
    expect(mine).toMatchObject({
      deliveringStationId: w.tree.stations.a1s2.id,
      deliveringPointId: points.p1,
      status: 'requested',
    });
    expect(mine.deliveringPointName).toContain('西湖社区');
    const one = await get(w.opS2.token, `/aid-requests/${row.id}`);
    expect(one.body).toMatchObject({ deliveringPointId: points.p1, deliveringPointName: mine.deliveringPointName });
    // the record keeps it, and its aid request shows it
    const record = await get(w.op1.token, `/records/${id}`);
    expect(record.body.outcome.materialAid).toMatchObject({
      deliveringStationId: w.tree.stations.a1s2.id,
      deliveringPointId: points.p1,
    });
    expect(record.body.aidRequests[0]).toMatchObject({ deliveringPointId: points.p1 });
    expect((await post(w.opS2.token, `/aid-requests/${row.id}/arrange`)).status).toBe(200);

    // a request without a point says so
    const none = await recordedContact(stack, w.tree, w.op1, AID_OUTCOME);
    const noPoint = await get(w.op1.token, `/aid-requests/${(await aidOf(none)).id}`);
    expect(noPoint.body).toMatchObject({ deliveringPointId: null, deliveringPointName: null });
  });

  it('a point given without a station makes its station the delivering station', async () => {
    const id = await recordedContact(stack, w.tree, w.op1, withAid({ deliveringPointId: points.p2 }));
    const row = await aidOf(id);
    expect(row).toMatchObject({ delivering_station_id: w.tree.stations.a1s2.id, delivering_point_id: points.p2 });
    const record = await get(w.op1.token, `/records/${id}`);
    expect(record.body.outcome.materialAid.deliveringStationId).toBe(w.tree.stations.a1s2.id);
    const list = await get(w.opS2.token, '/aid-requests?pageSize=100');
    expect(list.body.items.map((a: any) => a.id)).toContain(row.id);
  });

  it('refuses a point of another station, anything not an open point: 400 naming the field, nothing written', async () => {
    const op = await w.newOperator();
    const id = await answeredContact(stack, w.tree, op);
    const refused = async (aid: object) => {
      const res = await post(op.token, `/contacts/${id}/outcome`, withAid(aid));
      expect(res.status).toBe(400);
      expect(messageOf(res)).toContain('materialAid.deliveringPointId');
      return messageOf(res);
    };
    // a point of a1s1 while a1s2 delivers
    expect(await refused({ deliveringStationId: w.tree.stations.a1s2.id, deliveringPointId: points.own })).toContain(
      '村(居)',
    );
    // not a point: a station, a district, an id that does not exist
    await refused({ deliveringPointId: w.tree.stations.a1s2.id });
    await refused({ deliveringStationId: w.tree.stations.a1s2.id, deliveringPointId: w.tree.districts.a1 });
    await refused({ deliveringPointId: '00000000-0000-4000-8000-000000000000' });
    // a closed point
    await refused({ deliveringStationId: w.tree.stations.a1s2.id, deliveringPointId: points.closed });
    // not an id at all: the validation pipe
    await refused({ deliveringPointId: 'P1' });

    // nothing written: the contact is still active, no outcome, no version, no aid request
    expect((await get(op.token, `/contacts/${id}`)).body.status).toBe('active');
    expect(await count(stack, 'outcomes WHERE contact_id = $1', [id])).toBe(0);
    expect(await count(stack, 'outcome_versions WHERE contact_id = $1', [id])).toBe(0);
    expect(await count(stack, 'aid_requests WHERE contact_id = $1', [id])).toBe(0);

    // the same contact then records with its own station's point
    const ok = await post(op.token, `/contacts/${id}/outcome`, withAid({ deliveringPointId: points.own }));
    expect(ok.status).toBe(201);
    expect(await aidOf(id)).toMatchObject({
      delivering_station_id: w.tree.stations.a1s1.id,
      delivering_point_id: points.own,
    });
  });

  it('an amendment moves a still-requested request to another point, keeps it when left out, clears it', async () => {
    const id = await recordedContact(
      stack,
      w.tree,
      w.op1,
      withAid({ deliveringStationId: w.tree.stations.a1s2.id, deliveringPointId: points.p1 }),
    );
    const { id: aidId } = await aidOf(id);

    // another point of the same station: the request moves, with a step
    const moved = await put(w.op1.token, `/records/${id}`, {
      ...withAid({ deliveringStationId: w.tree.stations.a1s2.id, deliveringPointId: points.p2 }),
      reason: '改由东风村社工点配送',
    });
    expect(moved.status).toBe(200);
    expect(moved.body.outcome.materialAid.deliveringPointId).toBe(points.p2);
    expect(moved.body.versions[1].changed).toEqual(['materialAid']);
    const aid = await get(w.opS2.token, `/aid-requests/${aidId}`);
    expect(aid.body).toMatchObject({ status: 'requested', deliveringPointId: points.p2 });
    expect(aid.body.deliveringPointName).toContain('东风村');
    expect(aid.body.steps).toHaveLength(2);

    // a point of another station: 400 naming the field, the record unchanged
    const wrong = await put(
      w.op1.token,
      `/records/${id}`,
      withAid({ deliveringPointId: points.own, deliveringStationId: w.tree.stations.a1s2.id }),
    );
    expect(wrong.status).toBe(400);
    expect(messageOf(wrong)).toContain('materialAid.deliveringPointId');

    // left out (an older client): the station and the point stay, no new version
    const same = await put(w.op1.token, `/records/${id}`, withAid({}));
    expect(same.status).toBe(200);
    expect(same.body.outcome).toMatchObject({ version: 2 });
    expect(same.body.outcome.materialAid).toMatchObject({
      deliveringStationId: w.tree.stations.a1s2.id,
      deliveringPointId: points.p2,
    });

    // null: no point any more, the station delivers
    const cleared = await put(w.op1.token, `/records/${id}`, withAid({ deliveringPointId: null }));
    expect(cleared.status).toBe(200);
    expect(cleared.body.outcome.version).toBe(3);
    expect(cleared.body.outcome.materialAid.deliveringPointId).toBeUndefined();
    expect(await aidOf(id)).toMatchObject({
      delivering_station_id: w.tree.stations.a1s2.id,
      delivering_point_id: null,
    });

    // a point alone moves the request to that point's station
    const back = await put(w.op1.token, `/records/${id}`, withAid({ deliveringPointId: points.own }));
    expect(back.status).toBe(200);
    expect(await aidOf(id)).toMatchObject({
      delivering_station_id: w.tree.stations.a1s1.id,
      delivering_point_id: points.own,
    });
    // another station named without a point: the old station's point does not follow
    const station = await put(w.op1.token, `/records/${id}`, withAid({ deliveringStationId: w.tree.stations.a1s2.id }));
    expect(station.status).toBe(200);
    expect(await aidOf(id)).toMatchObject({
      delivering_station_id: w.tree.stations.a1s2.id,
      delivering_point_id: null,
    });

    // once arranged, the point can no longer change (409), as the station and the items
    const again = await put(w.op1.token, `/records/${id}`, withAid({ deliveringPointId: points.p1 }));
    expect(again.status).toBe(200);
    expect((await post(w.opS2.token, `/aid-requests/${aidId}/arrange`)).status).toBe(200);
    const late = await put(w.op1.token, `/records/${id}`, withAid({ deliveringPointId: points.p2 }));
    expect(late.status).toBe(409);
    expect(await aidOf(id)).toMatchObject({ delivering_point_id: points.p1 });
  });
});
