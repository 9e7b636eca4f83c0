import { CoverageWatch } from '../../libs/shifts/src';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { TestTree, createTree } from '../support/fixtures';
import { expireOfferNow } from '../support/clock';

/** Alerts on the /monitor socket reach those responsible for the station, and nobody else. */
describe('monitor alerts (real socket.io clients on /monitor)', () => {
  let stack: Stack;
  let tree: TestTree;
  const clients: AgentClient[] = [];
  const monitor = async (role: 'supervisor' | 'coordinator' | 'manager', unitId: string) => {
    const user = await tree.user(role, unitId);
    const c = await AgentClient.monitor(stack.url, await login(stack.url, user.username));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    // the default offer timeout (20 s): offers are answered well within it; the missed one is expired by the test
    stack = await startStack({
      OFFER_TIMEOUT_SECONDS: '20',
      MISSED_OFFERS_TO_AWAY: '1',
      COVERAGE_CHECK_SECONDS: '3600',
    });
  });
  beforeEach(async () => {
    tree = await createTree(stack.app);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  it('a critical contact alerts the station’s supervisor and district coordinator at once, not other districts', async () => {
    const supervisor = await monitor('supervisor', tree.stations.a1s1.id);
    const coordinator = await monitor('coordinator', tree.districts.a1);
    const elsewhere = await monitor('coordinator', tree.districts.b1);
    const res = await api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations.a1s1.hotline, channel: 'phone', riskLevel: 'critical' },
    });
    expect(res.status).toBe(201);
    for (const m of [supervisor, coordinator]) {
      expect(await m.next('risk:alert', (a) => a.contactId === res.body.id)).toMatchObject({
        contactId: res.body.id,
        stationId: tree.stations.a1s1.id,
        riskLevel: 'critical',
        source: 'critical_contact',
        waitedSeconds: expect.any(Number),
      });
    }
    await elsewhere.none('risk:alert', 300);
  });

  it('an imminent risk assessment in an outcome alerts the supervisor', async () => {
    const supervisor = await monitor('supervisor', tree.stations.a1s1.id);
    const op = await tree.operator('a1s1');
    const token = await login(stack.url, op.username);
    const sock = await AgentClient.connect(stack.url, token);
    clients.push(sock);
    await sock.available();
    const c = await api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations.a1s1.hotline, channel: 'phone' },
    });
    const offer = await sock.next('contact:offer');
    await sock.emit('offer:accept', { offerId: offer.offerId });
    const out = await api(stack.url, 'POST', `/contacts/${c.body.id}/outcome`, {
      token,
      body: {
        serviceTypes: ['psychological_support'],
        targetGroup: 'mental_health',
        summary: '来电者有强烈自伤念头，已稳定情绪并联系家属。',
        psychological: { riskAssessment: 'imminent', interventions: ['safety_planning'] },
        problems: [{ category: 'crisis', resolution: 'referred' }],
      },
    });
    expect(out.status).toBe(201);
    expect(await supervisor.next('risk:alert', (a) => a.contactId === c.body.id)).toMatchObject({
      source: 'imminent_assessment',
      stationId: tree.stations.a1s1.id,
    });
  });

  it('an operator set away for missed offers is reported to the coordinator', async () => {
    const coordinator = await monitor('coordinator', tree.districts.a1);
    const op = await tree.operator('a1s1');
    const sock = await AgentClient.connect(stack.url, await login(stack.url, op.username));
    clients.push(sock);
    await sock.available();
    await api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations.a1s1.hotline, channel: 'phone' },
    });
    const offer = await sock.next('contact:offer');
    await coordinator.none('agent:auto-away', 200);
    await expireOfferNow(stack.app, offer.offerId);
    expect(await coordinator.next('agent:auto-away', (e) => e.userId === op.id)).toMatchObject({
      userId: op.id,
      stationId: tree.stations.a1s1.id,
      missedInRow: 1,
    });
  });

  it('a coverage gap is raised to the district coordinator as it starts, and its end too', async () => {
    const coordinator = await monitor('coordinator', tree.districts.a1);
    const op = await tree.operator('a1s1');
    const admin = await login(stack.url, (await tree.user('coordinator', tree.districts.a1)).username);
    await api(stack.url, 'POST', `/stations/${tree.stations.a1s1.id}/shifts`, {
      token: admin,
      body: {
        workerId: op.id,
        startsAt: new Date(Date.now() - 60e3).toISOString(),
        endsAt: new Date(Date.now() + 3600e3).toISOString(),
      },
    });
    await stack.app.get(CoverageWatch).check();
    const gap = await coordinator.next('coverage:gap', (g) => g.unitId === tree.stations.a1s1.id);
    expect(gap).toMatchObject({ kind: 'nobody_signed_in', endedAt: null });
    const sock = await AgentClient.connect(stack.url, await login(stack.url, op.username));
    clients.push(sock);
    await stack.app.get(CoverageWatch).check();
    const ended = await coordinator.next('coverage:gap', (g) => g.unitId === tree.stations.a1s1.id && g.endedAt);
    expect(ended.id).toBe(gap.id);
  });
});
