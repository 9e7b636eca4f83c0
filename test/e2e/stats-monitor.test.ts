import { io, Socket } from 'socket.io-client';
import { Db } from '../../libs/database/src';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { TestTree, createTree } from '../support/fixtures';
import { clearOfShanghaiMidnight } from '../support/clock';

const OUTCOME = {
  serviceTypes: ['emotional_support'],
  targetGroup: 'other',
  summary: '情绪支持。',
  problems: [{ category: 'emotional', resolution: 'resolved' }],
};

interface Unit {
  orgUnitId: string;
  name: string;
  level: string;
  waiting: number;
  oldestWaitSeconds: number;
  available: number;
  busy: number;
  wrapUp: number;
  away: number;
  answeredToday: number;
  abandonedToday: number;
  serviceLevelToday: number | null;
  rostered: number;
  signedIn: number;
}
interface Snapshot {
  at: string;
  units: Unit[];
}

/** A real socket.io client on /monitor that keeps every snapshot and event it receives. */
class MonitorClient {
  readonly socket: Socket;
  readonly snapshots: { t: number; s: Snapshot }[] = [];
  readonly events: { event: string; data: any }[] = [];

  constructor(url: string, token?: string) {
    this.socket = io(`${url}/monitor`, {
      auth: token ? { token } : {},
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.socket.onAny((event, data) => {
      if (event === 'queue:snapshot') this.snapshots.push({ t: Date.now(), s: data });
      else this.events.push({ event, data });
    });
  }

  /** Waits for a snapshot (already received or to come) in which `pred` holds for the unit. */
  async until(unitId: string, pred: (u: Unit) => boolean, timeoutMs = 20_000): Promise<Unit> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = this.snapshots.at(-1)?.s.units.find((u) => u.orgUnitId === unitId);
      if (last && pred(last)) return last;
      if (Date.now() > deadline) throw new Error(`no snapshot matching for ${unitId}; last: ${JSON.stringify(last)}`);
      await sleep(50);
    }
  }

  async event(name: string, timeoutMs = 15_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find((x) => x.event === name);
      if (e) return e.data;
      if (Date.now() > deadline) throw new Error(`no ${name}`);
      await sleep(50);
    }
  }

  connectError(): Promise<string> {
    return new Promise((resolve) => this.socket.on('connect_error', (e) => resolve(e.message)));
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** The coordinator's live board over socket.io (`/monitor`), against the whole stack. */
describe('live monitor (/monitor)', () => {
  let stack: Stack;
  let tree: TestTree;
  const open: { close(): void }[] = [];
  const monitor = async (username: string) => {
    const m = new MonitorClient(stack.url, await login(stack.url, username));
    open.push(m);
    return m;
  };
  const intake = (station: keyof TestTree['stations'], body: Record<string, unknown> = {}) =>
    api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations[station].hotline, channel: 'phone', ...body },
    }).then((r) => {
      if (r.status !== 201) throw new Error(`intake ${r.status} ${r.text}`);
      return r.body as { id: string };
    });

  beforeAll(async () => {
    // no overflow during these tests: contacts stay in their station's line
    stack = await startStack({
      OVERFLOW_DISTRICT_SECONDS: '3600',
      OVERFLOW_REGION_SECONDS: '3600',
      OVERFLOW_CITY_SECONDS: '3600',
    });
  });
  beforeEach(async () => {
    tree = await createTree(stack.app);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  it('sends the coordinator their district at once, then the waiting count rising and falling', async () => {
    await clearOfShanghaiMidnight(60_000); // "answered today" restarts at midnight, Asia/Shanghai
    const coordinator = await tree.user('coordinator', tree.districts.a1);
    const op = await tree.operator('a1s1');
    const m = await monitor(coordinator.username);
    const first = await m.until(tree.districts.a1, () => true, 15_000);
    expect(first).toMatchObject({
      level: 'district',
      waiting: 0,
      oldestWaitSeconds: 0,
      available: 0,
      busy: 0,
      answeredToday: 0,
    });
    const ids = m.snapshots[0].s.units.map((u) => u.orgUnitId).sort();
    expect(ids).toEqual([tree.districts.a1, tree.stations.a1s1.id, tree.stations.a1s2.id].sort());
    const station = m.snapshots[0].s.units.find((u) => u.orgUnitId === tree.stations.a1s1.id)!;
    for (const f of [
      'orgUnitId',
      'name',
      'level',
      'waiting',
      'oldestWaitSeconds',
      'available',
      'busy',
      'wrapUp',
      'away',
      'answeredToday',
      'abandonedToday',
      'serviceLevelToday',
      'rostered',
      'signedIn',
    ]) {
      expect(station).toHaveProperty(f);
    }
    expect(station.serviceLevelToday).toBeNull();

    // two callers wait: nobody is on duty
    const c1 = await intake('a1s1');
    await sleep(1100);
    await intake('a1s1');
    await m.until(tree.stations.a1s1.id, (u) => u.waiting === 2 && u.oldestWaitSeconds >= 1);
    await m.until(tree.districts.a1, (u) => u.waiting === 2);

    // an operator goes on duty and takes the first: one left waiting, the operator busy
    const agent = await AgentClient.connect(stack.url, await login(stack.url, op.username));
    open.push(agent);
    await agent.available();
    const offer = await agent.next('contact:offer');
    expect(offer.contact.id).toBe(c1.id);
    expect((await agent.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    await m.until(
      tree.stations.a1s1.id,
      (u) => u.waiting === 1 && u.busy === 1 && u.signedIn === 1 && u.answeredToday === 1,
    );

    // the outcome is recorded: the next caller is offered and taken; nobody waits
    const token = await login(stack.url, op.username);
    expect((await api(stack.url, 'POST', `/contacts/${c1.id}/outcome`, { token, body: OUTCOME })).status).toBe(201);
    const second = await agent.next('contact:offer');
    expect((await agent.emit('offer:accept', { offerId: second.offerId })).ok).toBe(true);
    const done = await m.until(tree.stations.a1s1.id, (u) => u.waiting === 0 && u.answeredToday === 2);
    expect(done.oldestWaitSeconds).toBe(0);
    expect(done.serviceLevelToday).toBe(1);

    // never more often than every 2 s (sent at least 2 s apart; received with the delays of a busy machine, so the
    // count over the whole span is what is checked, and no two closer than half the interval)
    const times = m.snapshots.map((x) => x.t);
    expect(times.length).toBeGreaterThan(2);
    expect(times.length).toBeLessThanOrEqual((times.at(-1)! - times[0]) / 2000 + 2);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1000);
  });

  it('counts operators by state, rostered (shifts) and signed in', async () => {
    const coordinator = await tree.user('coordinator', tree.districts.a1);
    const [a, b, c] = [await tree.operator('a1s2'), await tree.operator('a1s2'), await tree.operator('a1s2')];
    await stack.app.get(Db).run(
      `INSERT INTO shifts (station_id, worker_id, starts_at, ends_at)
       VALUES ($1, $2, now() - interval '1 hour', now() + interval '1 hour'),
              ($1, $3, now() - interval '1 hour', now() + interval '1 hour'),
              ($1, $4, now() + interval '1 hour', now() + interval '2 hours')`,
      [tree.stations.a1s2.id, a.id, b.id, c.id],
    );
    const agentA = await AgentClient.connect(stack.url, await login(stack.url, a.username));
    const agentB = await AgentClient.connect(stack.url, await login(stack.url, b.username));
    open.push(agentA, agentB);
    await agentA.available();
    expect((await agentB.emit('presence:set', { status: 'away' })).ok).toBe(true);
    const m = await monitor(coordinator.username);
    const unit = await m.until(tree.stations.a1s2.id, (u) => u.available === 1 && u.away === 1);
    expect(unit).toMatchObject({ rostered: 2, signedIn: 2, busy: 0, wrapUp: 0 });
    expect((unit as unknown as { offline: number }).offline).toBe(1);
    const district = await m.until(tree.districts.a1, () => true);
    expect(district).toMatchObject({ available: 1, away: 1, rostered: 2, signedIn: 2 });
  });

  it('shows a manager the whole city, and a supervisor their stations', async () => {
    const manager = await tree.user('manager', tree.cityId);
    const m = await monitor(manager.username);
    await m.until(tree.cityId, () => true, 15_000);
    const levels = m.snapshots[0].s.units.map((u) => u.level);
    expect(levels.filter((l) => l === 'city')).toHaveLength(1);
    expect(levels.filter((l) => l === 'region')).toHaveLength(2);
    expect(levels.filter((l) => l === 'district')).toHaveLength(3);
    expect(levels.filter((l) => l === 'station')).toHaveLength(4);
    await intake('b1s1');
    await m.until(tree.cityId, (u) => u.waiting === 1);
    await m.until(tree.regions.b, (u) => u.waiting === 1);
    await m.until(tree.regions.a, (u) => u.waiting === 0);

    const sup = await tree.user('supervisor', tree.stations.a2s1.id);
    await stack.app
      .get(Db)
      .run('INSERT INTO supervisor_stations (user_id, station_id) VALUES ($1, $2)', [sup.id, tree.stations.b1s1.id]);
    const s = await monitor(sup.username);
    await s.until(tree.stations.b1s1.id, (u) => u.waiting === 1, 15_000);
    expect(s.snapshots[0].s.units.map((u) => u.orgUnitId).sort()).toEqual(
      [tree.stations.a2s1.id, tree.stations.b1s1.id].sort(),
    );
  });

  it('delivers alerts to the rooms of the units in scope', async () => {
    const coordinator = await tree.user('coordinator', tree.districts.a1);
    const other = await tree.user('coordinator', tree.districts.b1);
    const m = await monitor(coordinator.username);
    const o = await monitor(other.username);
    await m.until(tree.districts.a1, () => true, 15_000);
    await o.until(tree.districts.b1, () => true, 15_000);
    const critical = await intake('a1s2', { riskLevel: 'critical' });
    const alert = await m.event('risk:alert');
    expect(alert).toMatchObject({ contactId: critical.id, stationId: tree.stations.a1s2.id, riskLevel: 'critical' });
    await sleep(300);
    expect(o.events.find((e) => e.event === 'risk:alert')).toBeUndefined();
  });

  it('refuses operators and missing or bad tokens at connect', async () => {
    const op = await tree.operator('a1s1');
    const asOperator = new MonitorClient(stack.url, await login(stack.url, op.username));
    open.push(asOperator);
    expect(await asOperator.connectError()).toMatch(/^forbidden/);
    const anonymous = new MonitorClient(stack.url);
    open.push(anonymous);
    expect(await anonymous.connectError()).toMatch(/^unauthorized/);
    const forged = new MonitorClient(stack.url, 'not-a-token');
    open.push(forged);
    expect(await forged.connectError()).toMatch(/^unauthorized/);
    await sleep(200);
    expect(asOperator.snapshots).toHaveLength(0);
  });

  it('answers snapshot:get with the current snapshot', async () => {
    const coordinator = await tree.user('coordinator', tree.districts.a2);
    const m = await monitor(coordinator.username);
    await m.until(tree.districts.a2, () => true, 15_000);
    const ack = await m.socket.timeout(15_000).emitWithAck('snapshot:get');
    expect(ack.ok).toBe(true);
    expect(ack.snapshot.units.map((u: Unit) => u.orgUnitId).sort()).toEqual(
      [tree.districts.a2, tree.stations.a2s1.id].sort(),
    );
  });
});
