import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { networkInterfaces } from 'node:os';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { setupGatewayApp } from '../../apps/gateway/src/setup-app';
import { redisPrefix } from '../support/fixtures';
import { metricTypes, parseSamples, sample, until } from '../support/metrics';
import { Proc, checkBuilt, freePort, processLogs } from '../support/processes';

/**
 * Readiness (`/api/health/ready`) against real router processes: a gateway of this test (no router in its process)
 * is live but not ready until a router built from dist/ consumes the routing queue (its heartbeat in Redis), not
 * ready again as soon as that router stops, and again once a router killed without a word is no longer heard
 * (15 s). The router's own port serves /health and /metrics.
 */

const TOKEN = 'router-metrics-token-0123456789abcdef';

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, text, body, headers: res.headers };
};

describe('readiness and the router heartbeat (a gateway of this test, routers from dist/)', () => {
  let app: NestExpressApplication;
  let gateway: string;
  const procs: Proc[] = [];
  let metricsPort: number;

  const ready = () => get(`${gateway}/api/health/ready`);
  const startRouter = async (name: string) => {
    const proc = new Proc(name, 'router', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DB_MIGRATE: 'false',
      REDIS_PREFIX: process.env.REDIS_PREFIX,
      ROUTER_METRICS_PORT: String(metricsPort),
      METRICS_TOKEN: TOKEN,
      RECONCILE_INTERVAL_SECONDS: '60',
    });
    procs.push(proc);
    return proc;
  };
  /** Waits for readiness to answer `status`; answers how long it took (ms). */
  const readyBecomes = async (status: number, timeoutMs: number): Promise<number> => {
    const t0 = Date.now();
    let last: Awaited<ReturnType<typeof ready>> | undefined;
    await until(
      async () => (last = await ready()).status === status,
      timeoutMs,
      () => `readiness still ${last?.status} ${last?.text}\n${processLogs(procs)}`,
    );
    return Date.now() - t0;
  };

  beforeAll(async () => {
    checkBuilt();
    redisPrefix();
    delete process.env.METRICS_TOKEN;
    Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'warn' });
    app = await NestFactory.create<NestExpressApplication>(GatewayModule, { logger: ['error', 'warn'] });
    setupGatewayApp(app);
    await app.listen(0, '0.0.0.0');
    gateway = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    metricsPort = await freePort();
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await app.close();
  });

  it('is live but not ready while no router runs: 503 saying the router is missing', async () => {
    expect((await get(`${gateway}/api/health`)).status).toBe(200);
    const res = await ready();
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'not_ready', postgres: 'up', redis: 'up', routers: 0, missing: ['router'] });
    const metrics = parseSamples((await get(`${gateway}/metrics`)).text);
    expect(sample(metrics, 'kapok_routers_alive')).toBe(0);
  });

  it("is ready once a router consumes the queue; the router's port serves /health and its /metrics", async () => {
    const router = await startRouter('router-1');
    const took = await readyBecomes(200, 30_000);
    expect((await ready()).body).toEqual({ status: 'ready', postgres: 'up', redis: 'up', routers: 1 });
    console.log(`readiness: 200 ${took} ms after the router process was spawned`);
    expect(router.running).toBe(true);

    const base = `http://127.0.0.1:${metricsPort}`;
    expect(await get(`${base}/health`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    // METRICS_TOKEN is set for this router: refused without it, served with it
    const refused = await get(`${base}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get(`${base}/metrics`, { authorization: 'Bearer not-the-token-0123456789' })).status).toBe(401);
    expect((await get(`${base}/nothing`)).status).toBe(404);
    // the router's reconcile scheduler runs at once when it starts: its job is counted on the router
    let text = '';
    await until(async () => {
      const res = await get(`${base}/metrics`, { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      text = res.text;
      const s = parseSamples(text);
      return (sample(s, 'kapok_job_duration_seconds_count', { job: 'reconcile', result: 'completed' }) ?? 0) >= 1;
    });
    const types = metricTypes(text);
    for (const name of [
      'kapok_router_heartbeat_timestamp_seconds',
      'kapok_job_duration_seconds',
      'kapok_offers_made_total',
      'kapok_reconcile_recovered_total',
      'kapok_pg_pool_connections',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect([name, types.has(name)]).toEqual([name, true]);
    }
    // the system-wide gauges are the gateways' (a router would only repeat them)
    for (const name of ['kapok_contacts_waiting', 'kapok_routers_alive', 'kapok_sockets_connected']) {
      expect([name, types.has(name)]).toEqual([name, false]);
    }
    // (the gateway's system-wide gauges are read at most every few seconds: one scraped before the router's first
    // heartbeat may still say 0)
    await until(async () => sample(parseSamples((await get(`${gateway}/metrics`)).text), 'kapok_routers_alive') === 1);
  });

  it('is not ready as soon as the router stops (SIGTERM), and ready again when one starts', async () => {
    await procs[0].stop();
    const took = await readyBecomes(503, 5_000);
    expect((await ready()).body).toMatchObject({ routers: 0, missing: ['router'] });
    console.log(`readiness: 503 ${took} ms after the router stopped`);
    await startRouter('router-2');
    await readyBecomes(200, 30_000);
  });

  it('is not ready once a router killed without a word (SIGKILL) has not been heard for 15 s', async () => {
    const t0 = Date.now();
    await procs[1].kill();
    expect((await ready()).status).toBe(200); // its last heartbeat is still recent
    await readyBecomes(503, 25_000);
    const took = Date.now() - t0;
    console.log(`readiness: 503 ${took} ms after the router was killed`);
    expect(took).toBeGreaterThan(8_000); // heard within 15 s of its last heartbeat (one every 5 s)
    expect(took).toBeLessThan(20_000);
  });

  it('with no METRICS_TOKEN, refuses /metrics to another address of this machine (not loopback)', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!external) return console.log('no non-loopback address on this machine: the check is left to the unit spec');
    const port = new URL(gateway).port;
    const res = await get(`http://${external}:${port}/metrics`);
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('kapok_');
    expect((await get(`${gateway}/metrics`)).status).toBe(200); // loopback
  });
});
