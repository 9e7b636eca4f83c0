import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { AuthModule } from '../../libs/auth/src';
import { KapokConfigModule } from '../../libs/config/src';
import { DatabaseModule } from '../../libs/database/src';
import { OrgModule } from '../../libs/org/src';
import { PASSWORD, TestStation, createStation, redisPrefix } from '../support/fixtures';
import { api } from '../support/process-clients';
import { Proc, checkBuilt, freePort, processLogs, removeRedisKeys, waitUp } from '../support/processes';

/**
 * The logs of a whole contact's life, from a gateway and a router as dist processes writing JSON (no terminal, not
 * development): a login with a password, an intake with a caller's number and a request id, the offer, the answer,
 * the end and an outcome with a summary. Everything both processes printed is read: every line is a JSON object;
 * the intake's request id is on the gateway's line for the request and on the router's lines for the job it
 * triggered and the offer it emitted; and the caller's number (in any writing), the summary, the password, the
 * tokens and the intake key appear on no line.
 */

@Module({ imports: [KapokConfigModule, DatabaseModule, AuthModule, OrgModule] })
class FixturesModule {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('logs: JSON lines, the request id followed, no secret', () => {
  const prefix = `${redisPrefix()}-logs`;
  const procs: Proc[] = [];
  const output = new Map<string, string[]>(); // process name → chunks of stdout and stderr
  let ctx: INestApplicationContext | undefined;
  let st: TestStation;
  let gateway = '';
  let socket: Socket | undefined;
  const killAll = () => procs.forEach((p) => p.running && p.child.kill('SIGKILL'));

  beforeAll(async () => {
    checkBuilt();
    process.once('exit', killAll);
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'log', // everything the product writes in production
      LOG_FORMAT: undefined,
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_PREFIX: prefix,
      DEMO: 'false',
    };
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    procs.push(new Proc('gateway', 'gateway', { ...env, PORT: String(port) }));
    procs.push(new Proc('router', 'router', { ...env, PORT: '0' }));
    for (const p of procs) {
      const chunks: string[] = [];
      output.set(p.name, chunks);
      p.child.stdout!.on('data', (b: Buffer) => chunks.push(b.toString()));
      p.child.stderr!.on('data', (b: Buffer) => chunks.push(b.toString()));
    }
    Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'warn', REDIS_PREFIX: prefix });
    ctx = await NestFactory.createApplicationContext(FixturesModule, { logger: ['error', 'warn'] });
    st = await createStation(ctx, 1);
    await waitUp([gateway], procs, prefix);
  }, 90_000);

  afterAll(async () => {
    socket?.disconnect();
    await Promise.all(procs.map((p) => p.stop()));
    process.removeListener('exit', killAll);
    await ctx?.close();
    await removeRedisKeys(prefix);
  }, 30_000);

  it('a contact’s whole life leaves JSON lines that follow its request id and hold no secret', async () => {
    const tag = randomUUID().slice(0, 8);
    const digits = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const callerNumber = `+86 ${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`;
    const summary = `日志隐私测试摘要-${tag}：来电者谈到家中的困难。`;
    const requestId = `intake-${tag}`;

    const login = await api(gateway, 'POST', '/auth/login', {
      body: { username: st.operators[0].username, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const token: string = login.body.accessToken;
    const refreshToken: string | undefined = login.body.refreshToken;

    socket = io(`${gateway}/agent`, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    await new Promise<void>((res, rej) => {
      socket!.once('agent:state', () => res());
      socket!.once('connect_error', rej);
    });
    const ack = await socket.timeout(10_000).emitWithAck('presence:set', { status: 'available' });
    expect(ack.ok).toBe(true);

    const offered = new Promise<{ offerId: string; contact: { id: string } }>((res) =>
      socket!.once('contact:offer', res),
    );
    const intake = await api(gateway, 'POST', '/contacts', {
      key: st.intakeKey,
      headers: { 'x-request-id': requestId },
      body: { hotlineNumber: st.hotlineNumber, channel: 'phone', callerNumber, externalId: `log-${tag}` },
    });
    expect(intake.status).toBe(201);
    expect(intake.headers.get('x-request-id')).toBe(requestId);
    const contactId: string = intake.body.id;
    const offer = await offered;
    expect(offer.contact.id).toBe(contactId);
    const accepted = await socket.timeout(10_000).emitWithAck('offer:accept', { offerId: offer.offerId });
    expect(accepted.ok).toBe(true);
    expect((await api(gateway, 'POST', `/contacts/${contactId}/end`, { key: st.intakeKey })).status).toBe(200);
    const out = await api(gateway, 'POST', `/contacts/${contactId}/outcome`, {
      token,
      body: {
        serviceTypes: ['emotional_support'],
        targetGroup: 'elderly',
        summary,
        problems: [{ category: 'emotional', resolution: 'resolved' }],
      },
    });
    expect(out.status).toBe(201);
    // A bad password too (logged as a failed login, never with what was typed).
    const wrong = `wrong-${tag}-password`;
    expect(
      (await api(gateway, 'POST', '/auth/login', { body: { username: st.operators[0].username, password: wrong } }))
        .status,
    ).toBe(401);
    await sleep(1500); // the last lines written
    socket.disconnect();
    for (const p of procs) await p.terminate(30_000); // their shutdown lines too

    const lines = new Map<string, string[]>();
    for (const [name, chunks] of output)
      lines.set(
        name,
        chunks
          .join('')
          .split('\n')
          .filter((l) => l.trim() !== ''),
      );
    const all = [...lines.values()].flat();
    expect(all.length).toBeGreaterThan(10);

    // Every line a JSON object (a log collector parses each one).
    const notJson = all.filter((l) => {
      try {
        const v = JSON.parse(l);
        return typeof v !== 'object' || v === null || typeof v.level !== 'number' || typeof v.msg !== 'string';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);

    // The request id followed: the gateway's line for the intake, the router's lines for the job and the offer.
    const parsed = (name: string) => lines.get(name)!.map((l) => JSON.parse(l) as Record<string, unknown>);
    const gatewayLines = parsed('gateway').filter((l) => l.requestId === requestId);
    const routerLines = parsed('router').filter((l) => l.requestId === requestId);
    expect(gatewayLines.some((l) => (l.req as { path?: string } | undefined)?.path === '/api/contacts')).toBe(true);
    expect(routerLines.some((l) => String(l.msg).startsWith('job route-contact'))).toBe(true);
    expect(
      routerLines.some((l) => String(l.msg).includes(`contact:offer ${offer.offerId} of contact ${contactId}`)),
    ).toBe(true);

    if (process.env.SHOW_LOGS) console.log(all.join('\n'));
    // No secret anywhere.
    const secrets: Record<string, string> = {
      'caller number as sent': callerNumber,
      'caller number, digits': digits,
      'caller number, with 86': `86${digits}`,
      'caller number, spaced': `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`,
      summary,
      'summary (part)': `日志隐私测试摘要-${tag}`,
      password: PASSWORD,
      'wrong password': wrong,
      'access token': token,
      'access token signature': token.split('.')[2],
      'intake key': st.intakeKey,
      ...(refreshToken ? { 'refresh token': refreshToken } : {}),
    };
    const found = Object.entries(secrets)
      .filter(([, v]) => v && all.some((l) => l.includes(v)))
      .map(([k]) => k);
    if (found.length) console.log(processLogs(procs));
    expect(found).toEqual([]);
  }, 120_000);
});
