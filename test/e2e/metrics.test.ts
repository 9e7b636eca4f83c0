import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { networkInterfaces } from 'node:os';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { setupGatewayApp } from '../../apps/gateway/src/setup-app';
import { Db } from '../../libs/database/src';
import { expireOfferNow, routerSettled } from '../support/clock';
import { TestStation, createStation } from '../support/fixtures';
import { Samples, metricTypes, parseSamples, sample, until } from '../support/metrics';
import { AgentClient, Stack, api, login, startStack } from '../support/stack';

const OUTCOME = {
  serviceTypes: ['emotional_support'],
  targetGroup: 'elderly',
  summary: '指标测试：倾听并安排社工回访。',
  problems: [{ category: 'emotional', resolution: 'resolved' }],
};
const CALLER = '13987654321';

/** ../shared/contract.md "Readiness and metrics": fixed names, with their types. */
const CONTRACT: Record<string, string> = {
  kapok_contacts_received_total: 'counter',
  kapok_contacts_answered_total: 'counter',
  kapok_contacts_abandoned_total: 'counter',
  kapok_contacts_waiting: 'gauge',
  kapok_offer_latency_seconds: 'histogram',
  kapok_operators: 'gauge',
  kapok_sockets_connected: 'gauge',
};
/** The others docs/operations.md lists (the dashboards and alert rules in docker/ use them). */
const MORE: Record<string, string> = {
  kapok_contacts_offered_total: 'counter',
  kapok_offers_made_total: 'counter',
  kapok_offers_declined_total: 'counter',
  kapok_offers_expired_total: 'counter',
  kapok_offers_undelivered_total: 'counter',
  kapok_offers_revoked_total: 'counter',
  kapok_answer_wait_seconds: 'histogram',
  kapok_contacts_waiting_oldest_seconds: 'gauge',
  kapok_contacts_waiting_unstaffed: 'gauge',
  kapok_queue_jobs: 'gauge',
  kapok_queue_paused: 'gauge',
  kapok_routers_alive: 'gauge',
  kapok_job_duration_seconds: 'histogram',
  kapok_job_lag_seconds: 'histogram',
  kapok_reconcile_recovered_total: 'counter',
  kapok_pg_pool_connections: 'gauge',
  kapok_pg_pool_waiting: 'gauge',
  kapok_router_heartbeat_timestamp_seconds: 'gauge',
  kapok_metrics_collect_errors_total: 'counter',
  nodejs_eventloop_lag_seconds: 'gauge',
  process_cpu_seconds_total: 'counter',
};

const scrapeText = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), headers: res.headers };
};

describe('GET /metrics on the gateway (gateway + router in one process, no METRICS_TOKEN)', () => {
  let stack: Stack;
  let st: TestStation;
  const clients: AgentClient[] = [];
  const agent = async (i: number) => {
    const c = await AgentClient.connect(stack.url, await login(stack.url, st.operators[i].username));
    clients.push(c);
    return c;
  };
  const intake = (body: Record<string, unknown> = {}) =>
    api(stack.url, 'POST', '/contacts', {
      key: st.intakeKey,
      body: { hotlineNumber: st.hotlineNumber, channel: 'phone', callerNumber: CALLER, ...body },
    });
  /** Every text scraped in this file: none may carry a number or a name. */
  const texts: string[] = [];
  const scrape = async (): Promise<Samples> => {
    const res = await scrapeText(stack.url);
    expect(res.status).toBe(200);
    texts.push(res.text);
    return parseSamples(res.text);
  };
  /** How much each series moved between two scrapes (0 for a series missing from both). */
  const moved = (a: Samples, b: Samples, name: string, labels?: Record<string, string>) =>
    (sample(b, name, labels) ?? 0) - (sample(a, name, labels) ?? 0);

  beforeAll(async () => {
    delete process.env.METRICS_TOKEN;
    stack = await startStack();
  });
  beforeEach(async () => {
    st = await createStation(stack.app, 2);
  });
  afterEach(() => {
    clients.splice(0).forEach((c) => c.close());
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers the Prometheus text format outside /api, with every name of the contract (and the others)', async () => {
    const res = await scrapeText(stack.url);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const types = metricTypes(res.text);
    for (const [name, type] of Object.entries({ ...CONTRACT, ...MORE }))
      expect([name, types.get(name)]).toEqual([name, type]);
    const s = parseSamples(res.text); // every line parses
    for (const channel of ['phone', 'chat', 'wechat']) {
      expect(sample(s, 'kapok_contacts_received_total', { channel })).toBeGreaterThanOrEqual(0);
    }
    for (const presence of ['available', 'busy', 'wrap_up', 'away', 'offline']) {
      expect(sample(s, 'kapok_operators', { presence })).toBeGreaterThanOrEqual(0);
    }
    expect(sample(s, 'kapok_sockets_connected', { namespace: '/agent' })).toBe(0);
    expect(sample(s, 'kapok_sockets_connected', { namespace: '/monitor' })).toBe(0);
    expect(sample(s, 'kapok_routers_alive')).toBe(1); // the router of this process
    expect(sample(s, 'kapok_queue_paused', { queue: 'routing' })).toBe(0);
    expect((await api(stack.url, 'GET', '/metrics')).status).toBe(404); // not under /api
  });

  it("moves with a contact's life: received, waiting with nobody on duty, abandoned; offered, answered", async () => {
    const before = await scrape();

    // nobody on duty: the contact waits, and nobody can take it
    const waiting = await intake({ externalId: 'metrics-waits' });
    expect(waiting.status).toBe(201);
    let during: Samples = before;
    await until(
      async () => {
        during = await scrape();
        return (
          (sample(during, 'kapok_contacts_waiting') ?? 0) >= 1 &&
          (sample(during, 'kapok_contacts_waiting_unstaffed') ?? 0) >= 1 &&
          (sample(during, 'kapok_contacts_waiting_oldest_seconds') ?? 0) > 0
        );
      },
      10_000,
      () =>
        `waiting ${sample(during, 'kapok_contacts_waiting')}, unstaffed ${sample(during, 'kapok_contacts_waiting_unstaffed')}`,
    );
    const abandoned = await api(stack.url, 'POST', `/contacts/${waiting.body.id}/abandon`, { key: st.intakeKey });
    expect(abandoned.status).toBe(200);

    // an operator on duty: offered, answered, ended, recorded
    const op = await agent(0);
    await op.available();
    await routerSettled(stack.app);
    const answered = await intake({ externalId: 'metrics-answered' });
    const offer = await op.next('contact:offer');
    expect(offer.contact.id).toBe(answered.body.id);
    expect((await op.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    let talking: Samples = before;
    await until(
      async () => {
        talking = await scrape();
        return (
          sample(talking, 'kapok_operators', { presence: 'busy' }) === 1 &&
          sample(talking, 'kapok_sockets_connected', { namespace: '/agent' }) === 1
        );
      },
      10_000,
      () => `busy ${sample(talking, 'kapok_operators', { presence: 'busy' })}`,
    );
    expect((await api(stack.url, 'POST', `/contacts/${answered.body.id}/end`, { key: st.intakeKey })).status).toBe(200);
    const token = await login(stack.url, st.operators[0].username);
    const out = await api(stack.url, 'POST', `/contacts/${answered.body.id}/outcome`, { token, body: OUTCOME });
    expect(out.status).toBe(201);

    const after = await scrape();
    const phone = { channel: 'phone' };
    expect(moved(before, after, 'kapok_contacts_received_total', phone)).toBe(2);
    expect(moved(before, after, 'kapok_contacts_abandoned_total', phone)).toBe(1);
    expect(moved(before, after, 'kapok_contacts_offered_total', phone)).toBe(1);
    expect(moved(before, after, 'kapok_offers_made_total', phone)).toBe(1);
    expect(moved(before, after, 'kapok_contacts_answered_total', phone)).toBe(1);
    expect(moved(before, after, 'kapok_offer_latency_seconds_count')).toBe(1);
    expect(moved(before, after, 'kapok_answer_wait_seconds_count', phone)).toBe(1);
    expect(moved(before, after, 'kapok_answer_wait_seconds_sum', phone)).toBeGreaterThan(0);
    // the answered contact waited well under 10 s: in every bucket from 10 s up
    expect(moved(before, after, 'kapok_answer_wait_seconds_bucket', { ...phone, le: '10' })).toBe(1);
    for (const channel of ['chat', 'wechat']) {
      expect(moved(before, after, 'kapok_contacts_received_total', { channel })).toBe(0);
      expect(moved(before, after, 'kapok_contacts_answered_total', { channel })).toBe(0);
    }
    // the router ran the contact's triggers (and counts them by job name)
    expect(
      moved(before, after, 'kapok_job_duration_seconds_count', { job: 'route-contact', result: 'completed' }),
    ).toBeGreaterThanOrEqual(2);
    expect(moved(before, after, 'kapok_job_lag_seconds_count', { job: 'route-contact' })).toBeGreaterThanOrEqual(2);
    // the safety net had nothing to recover
    for (const finding of ['expired_offer', 'dead_gateway_socket', 'overdue_follow_up']) {
      expect(moved(before, after, 'kapok_reconcile_recovered_total', { finding })).toBe(0);
    }
  });

  it('counts declined and expired offers by channel', async () => {
    const a = await agent(0);
    await a.available();
    const b = await agent(1);
    await b.available();
    await routerSettled(stack.app);
    const before = await scrape();
    const chat = await intake({ externalId: 'metrics-declined', channel: 'chat' });
    const first = await a.next('contact:offer', (o) => o.contact.id === chat.body.id);
    expect((await a.emit('offer:decline', { offerId: first.offerId })).ok).toBe(true);
    const second = await b.next('contact:offer', (o) => o.contact.id === chat.body.id);
    await expireOfferNow(stack.app, second.offerId);
    await b.next('offer:revoked', (e) => e.offerId === second.offerId);
    await routerSettled(stack.app);
    const after = await scrape();
    expect(moved(before, after, 'kapok_offers_declined_total', { channel: 'chat' })).toBe(1);
    expect(moved(before, after, 'kapok_offers_expired_total', { channel: 'chat' })).toBe(1);
    expect(moved(before, after, 'kapok_contacts_offered_total', { channel: 'chat' })).toBe(1); // first offer only
    expect(moved(before, after, 'kapok_offers_made_total', { channel: 'chat' })).toBeGreaterThanOrEqual(2);
    expect(moved(before, after, 'kapok_offer_latency_seconds_count')).toBe(1);
  });

  it("never carries a caller's number or a person's name (whole text of every scrape)", async () => {
    await scrape();
    const all = texts.join('\n');
    expect(texts.length).toBeGreaterThan(5);
    // every account and every unit of this file's database (the operators who answered above among them)
    const names = await stack.app
      .get(Db)
      .rows<{ name: string }>(
        `SELECT username AS name FROM users UNION SELECT display_name FROM users UNION SELECT name FROM org_units`,
      );
    expect(names.length).toBeGreaterThan(4);
    for (const { name } of names) expect([name, all.includes(name)]).toEqual([name, false]);
    for (const number of [CALLER, '139****4321']) expect(all).not.toContain(number);
  });

  it('is refused (403) to a request that came through a proxy, with no token configured', async () => {
    const res = await scrapeText(stack.url, { 'x-forwarded-for': '203.0.113.7' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ statusCode: 403 });
    expect(res.text).not.toContain('kapok_');
  });
});

/** An address of this machine that is not loopback, if it has one (the request then does not come from loopback). */
const externalAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('GET /metrics with METRICS_TOKEN set (a gateway listening on every interface)', () => {
  const TOKEN = 'metrics-token-for-the-e2e-test-0123456789';
  let app: NestExpressApplication;
  let port: number;

  beforeAll(async () => {
    process.env.METRICS_TOKEN = TOKEN;
    app = await NestFactory.create<NestExpressApplication>(GatewayModule, { logger: ['error', 'warn'] });
    setupGatewayApp(app);
    await app.listen(0, '0.0.0.0');
    port = (app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => {
    delete process.env.METRICS_TOKEN;
    await app.close();
  });

  it('answers 401 without the token or with another one, even from loopback', async () => {
    const url = `http://127.0.0.1:${port}`;
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789abcdef' },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await scrapeText(url, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.text).not.toContain('kapok_');
    }
  });

  it('answers the metrics with the token, from loopback and from another address', async () => {
    const hosts = ['127.0.0.1', externalAddress()].filter(Boolean);
    for (const host of hosts) {
      const res = await scrapeText(`http://${host}:${port}`, { authorization: `Bearer ${TOKEN}` });
      expect([host, res.status]).toEqual([host, 200]);
      expect(metricTypes(res.text).get('kapok_contacts_received_total')).toBe('counter');
    }
  });
});
