import { randomUUID } from 'node:crypto';
import { Db } from '../../libs/database/src';
import { ControllableClock } from '../support/clock';
import { TestTree, createTree } from '../support/fixtures';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';

/**
 * Risk alerts as work items kept on the server (docs/alerts.md): `GET /api/alerts` and `POST /api/alerts/:id/
 * acknowledge` over HTTP, `risk:alert` / `risk:alert-closed` on real /monitor sockets. The product's clock is a
 * ControllableClock: the wait an alert shows moves only when the test moves it.
 */
describe('risk alerts as work items (HTTP + /monitor, real Postgres and Redis)', () => {
  const clock = new ControllableClock();
  let stack: Stack;
  let tree: TestTree;
  const clients: AgentClient[] = [];
  const track = <T extends AgentClient>(c: T) => (clients.push(c), c);
  const person = async (role: 'supervisor' | 'coordinator' | 'manager' | 'admin' | 'operator', unitId: string) => {
    const user = await tree.user(role, unitId);
    return { ...user, token: await login(stack.url, user.username) };
  };
  const monitor = async (token: string) => track(await AgentClient.monitor(stack.url, token));
  const critical = async (extra: Record<string, unknown> = {}, status = 201) => {
    const res = await api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations.a1s1.hotline, channel: 'phone', riskLevel: 'critical', ...extra },
    });
    expect(res.status).toBe(status);
    return res.body.id as string;
  };
  const alerts = async (token: string, query = '') => {
    const res = await api(stack.url, 'GET', `/alerts${query}`, { token });
    expect(res.status).toBe(200);
    return res.body as { items: any[]; total: number };
  };
  const alertsOf = async (contactId: string) =>
    (
      await stack.app
        .get(Db)
        .rows<{ source: string }>('SELECT source FROM risk_alerts WHERE contact_id = $1', [contactId])
    ).map((r) => r.source);

  beforeAll(async () => {
    stack = await startStack({ OFFER_TIMEOUT_SECONDS: '20', COVERAGE_CHECK_SECONDS: '3600' }, { clock });
  });
  beforeEach(async () => {
    tree = await createTree(stack.app);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  it('a critical contact is an open alert with a live wait, kept across reloads, for its station’s people only', async () => {
    const supervisor = await person('supervisor', tree.stations.a1s1.id);
    const coordinator = await person('coordinator', tree.districts.a1);
    const elsewhere = await person('coordinator', tree.districts.b1);
    const sup = await monitor(supervisor.token);

    const contactId = await critical();
    const event = await sup.next('risk:alert', (a) => a.contactId === contactId);
    expect(event).toMatchObject({ alertId: expect.any(String), source: 'critical_contact', waitedSeconds: 0 });

    clock.advance(42_000);
    for (const token of [supervisor.token, coordinator.token]) {
      const open = await alerts(token);
      expect(open.total).toBe(1);
      expect(open.items[0]).toMatchObject({
        id: event.alertId,
        contactId,
        channel: 'phone',
        stationId: tree.stations.a1s1.id,
        source: 'critical_contact',
        riskLevel: 'critical',
        contactStatus: 'queued',
        state: 'open',
        waitedSeconds: 42,
        asOf: clock.now().toISOString(),
        operator: null,
        acknowledgedBy: null,
      });
    }
    // (a monitor that connects later, or reloads, reads the same list: the alert is the server's, not the screen's)
    clock.advance(18_000);
    expect((await alerts(coordinator.token)).items[0].waitedSeconds).toBe(60);

    expect(await alerts(elsewhere.token)).toMatchObject({ total: 0, items: [] });
    const notTheirs = await api(stack.url, 'POST', `/alerts/${event.alertId}/acknowledge`, {
      token: elsewhere.token,
      body: {},
    });
    expect(notTheirs.status).toBe(404);
    expect((await alerts(supervisor.token, '?state=closed')).total).toBe(0);
  });

  it('acknowledged: who and when kept, closed for every monitor, in the history; asked again it answers the same', async () => {
    const supervisor = await person('supervisor', tree.stations.a1s1.id);
    const coordinator = await person('coordinator', tree.districts.a1);
    const [sup, coord] = [await monitor(supervisor.token), await monitor(coordinator.token)];
    const contactId = await critical();
    const { alertId } = await sup.next('risk:alert', (a) => a.contactId === contactId);

    clock.advance(5_000);
    const ack = await api(stack.url, 'POST', `/alerts/${alertId}/acknowledge`, {
      token: supervisor.token,
      body: { note: '已联系站点社工优先接听' },
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      id: alertId,
      state: 'acknowledged',
      acknowledgedAt: clock.now().toISOString(),
      acknowledgedBy: { id: supervisor.id, name: supervisor.username },
      acknowledgeNote: '已联系站点社工优先接听',
      contactStatus: 'queued',
    });
    for (const m of [sup, coord]) {
      expect(await m.next('risk:alert-closed', (e) => e.alertId === alertId)).toMatchObject({
        contactId,
        stationId: tree.stations.a1s1.id,
        state: 'acknowledged',
        acknowledgedBy: { id: supervisor.id },
      });
    }
    expect((await alerts(coordinator.token)).total).toBe(0);
    const history = await alerts(coordinator.token, '?state=closed');
    expect(history.items.map((a) => [a.id, a.state, a.acknowledgedBy?.id])).toEqual([
      [alertId, 'acknowledged', supervisor.id],
    ]);

    const again = await api(stack.url, 'POST', `/alerts/${alertId}/acknowledge`, { token: supervisor.token, body: {} });
    expect(again.status).toBe(200);
    expect(again.body.acknowledgedAt).toBe(ack.body.acknowledgedAt);
    const other = await api(stack.url, 'POST', `/alerts/${alertId}/acknowledge`, {
      token: coordinator.token,
      body: {},
    });
    expect(other.status).toBe(409);
    expect(other.text).toContain(supervisor.username);
  });

  it('a critical contact answered before anyone acknowledged it closes as answered; an abandoned one stays open', async () => {
    const supervisor = await person('supervisor', tree.stations.a1s1.id);
    const op = await tree.operator('a1s1');
    const sock = track(await AgentClient.connect(stack.url, await login(stack.url, op.username)));
    await sock.available();
    const answered = await critical();
    const offer = await sock.next('contact:offer', (o) => o.contact.id === answered);
    clock.advance(7_000);
    expect((await sock.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    clock.advance(30_000);

    const abandoned = await critical();
    clock.advance(3_000);
    expect((await api(stack.url, 'POST', `/contacts/${abandoned}/abandon`, { key: tree.intakeKey })).status).toBe(200);
    clock.advance(60_000);

    const open = await alerts(supervisor.token);
    expect(open.items.map((a) => [a.contactId, a.contactStatus, a.waitedSeconds])).toEqual([
      [abandoned, 'abandoned', 3],
    ]);
    const closed = await alerts(supervisor.token, '?state=closed');
    expect(closed.items).toEqual([
      expect.objectContaining({
        contactId: answered,
        state: 'answered',
        contactStatus: 'active',
        waitedSeconds: 7,
        operator: { id: op.id, name: op.username },
        acknowledgedBy: null,
      }),
    ]);
    const late = await api(stack.url, 'POST', `/alerts/${closed.items[0].id}/acknowledge`, {
      token: supervisor.token,
      body: {},
    });
    expect(late.status).toBe(409);
    expect(late.text).toMatch(/answered/);
  });

  it('raised once per contact and cause: a retried intake, and an imminent assessment after a critical contact', async () => {
    const supervisor = await person('supervisor', tree.stations.a1s1.id);
    const sup = await monitor(supervisor.token);
    const contactId = await critical({ externalId: 'retry-1' });
    await sup.next('risk:alert', (a) => a.contactId === contactId);
    expect(await critical({ externalId: 'retry-1' }, 200)).toBe(contactId);
    await sup.none('risk:alert', 300);
    expect(await alertsOf(contactId)).toEqual(['critical_contact']);

    // answered, then assessed imminent in the outcome: a second alert, open until someone acknowledges it
    const op = await tree.operator('a1s1');
    const token = await login(stack.url, op.username);
    const sock = track(await AgentClient.connect(stack.url, token));
    await sock.available();
    const offer = await sock.next('contact:offer', (o) => o.contact.id === contactId);
    expect((await sock.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    const out = await api(stack.url, 'POST', `/contacts/${contactId}/outcome`, {
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
    const imminent = await sup.next('risk:alert', (a) => a.contactId === contactId);
    expect(imminent.source).toBe('imminent_assessment');
    expect((await alerts(supervisor.token)).items).toEqual([
      expect.objectContaining({ id: imminent.alertId, source: 'imminent_assessment', state: 'open' }),
    ]);
    expect((await alertsOf(contactId)).sort()).toEqual(['critical_contact', 'imminent_assessment']);
  });

  it('an amendment that assesses the risk imminent raises the alert once; amending back and forth raises no other', async () => {
    const supervisor = await person('supervisor', tree.stations.a1s1.id);
    const sup = await monitor(supervisor.token);
    const op = await tree.operator('a1s1');
    const token = await login(stack.url, op.username);
    const sock = track(await AgentClient.connect(stack.url, token));
    await sock.available();
    const intake = await api(stack.url, 'POST', '/contacts', {
      key: tree.intakeKey,
      body: { hotlineNumber: tree.stations.a1s1.hotline, channel: 'phone' },
    });
    const contactId = intake.body.id as string;
    const offer = await sock.next('contact:offer', (o) => o.contact.id === contactId);
    expect((await sock.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    const outcome = (riskAssessment: string) => ({
      serviceTypes: ['psychological_support'],
      targetGroup: 'mental_health',
      summary: '来电者情绪低落，已倾听并约定回访。',
      psychological: { riskAssessment, interventions: ['safety_planning'] },
      problems: [{ category: 'crisis', resolution: 'referred' }],
    });
    expect(
      (await api(stack.url, 'POST', `/contacts/${contactId}/outcome`, { token, body: outcome('medium') })).status,
    ).toBe(201);
    await sup.none('risk:alert', 300);
    expect(await alertsOf(contactId)).toEqual([]);

    const amend = (riskAssessment: string) =>
      api(stack.url, 'PUT', `/records/${contactId}`, {
        token,
        body: { ...outcome(riskAssessment), reason: '复核风险' },
      });
    expect((await amend('imminent')).status).toBe(200);
    const raised = await sup.next('risk:alert', (a) => a.contactId === contactId);
    expect(raised).toMatchObject({ source: 'imminent_assessment', alertId: expect.any(String) });
    expect((await amend('high')).status).toBe(200);
    expect((await amend('imminent')).status).toBe(200);
    await sup.none('risk:alert', 300);
    expect(await alertsOf(contactId)).toEqual(['imminent_assessment']);
    expect((await alerts(supervisor.token)).items.map((a) => a.id)).toEqual([raised.alertId]);
  });

  it('refuses operators, admins acknowledging, and bad input, naming what is wrong; nothing changes', async () => {
    const supervisor = await person('supervisor', tree.stations.a1s1.id);
    const operator = await person('operator', tree.stations.a1s1.id);
    const admin = await person('admin', tree.cityId);
    const sup = await monitor(supervisor.token);
    const contactId = await critical();
    const { alertId } = await sup.next('risk:alert', (a) => a.contactId === contactId);

    expect((await api(stack.url, 'GET', '/alerts', { token: operator.token })).status).toBe(403);
    expect((await alerts(admin.token)).items.map((a) => a.id)).toContain(alertId);
    const byAdmin = await api(stack.url, 'POST', `/alerts/${alertId}/acknowledge`, { token: admin.token, body: {} });
    expect(byAdmin.status).toBe(403);
    const cases: [string, string, unknown, RegExp][] = [
      ['GET', '/alerts?state=bogus', undefined, /state/],
      ['GET', '/alerts?pageSize=1000', undefined, /pageSize/],
      ['POST', '/alerts/not-a-uuid/acknowledge', {}, /uuid/],
      ['POST', `/alerts/${alertId}/acknowledge`, { note: '很'.repeat(501) }, /note/],
      ['POST', `/alerts/${alertId}/acknowledge`, { note: 42 }, /note/],
    ];
    for (const [method, path, body, reason] of cases) {
      const res = await api(stack.url, method, path, { token: supervisor.token, body });
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.text).toMatch(reason);
    }
    const unknown = await api(stack.url, 'POST', `/alerts/${randomUUID()}/acknowledge`, {
      token: supervisor.token,
      body: {},
    });
    expect(unknown.status).toBe(404);
    expect((await alerts(supervisor.token)).items).toEqual([expect.objectContaining({ id: alertId, state: 'open' })]);
  });
});
