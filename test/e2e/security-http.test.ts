import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { setupGatewayApp } from '../../apps/gateway/src/setup-app';
import { Db } from '../../libs/database/src';
import { MAX_ROSTER_ROWS } from '../../libs/shifts/src';
import { DEFAULT_SOCKET_EVENT_RATE, LOGIN_LIMITS, RATE_LIMITED_ACK } from '../../libs/throttle/src';
import { PASSWORD, TestStation, createStation } from '../support/fixtures';
import { AgentClient, Stack, api as rawApi, login, sleep, startStack } from '../support/stack';

/**
 * Throttling and HTTP hardening (issue 8), against the real stack: login throttling per account and per address,
 * shared by two gateways through Redis and audited in login_attempts; the intake rate per key; security headers
 * and `Cache-Control: no-store` on the API; CSV bodies read only by the roster import, after authentication, with
 * a row cap. Every answer of this file goes through `api`, which fails the test on any 5xx.
 *
 * The main gateway trusts X-Forwarded-For from loopback (TRUST_PROXY=loopback), so each test signs in from
 * addresses of its own (TEST-NET, RFC 5737) and tests never share an address's count.
 */

const WRONG = 'not-the-password-42';

describe('throttling and HTTP hardening (real Postgres, Redis, two gateways)', () => {
  let stack: Stack;
  let other: { app: NestExpressApplication; url: string };
  let db: Db;
  let st: TestStation;
  const serverErrors: string[] = [];

  const api: typeof rawApi = async (url, method, path, opts) => {
    const res = await rawApi(url, method, path, opts);
    if (res.status >= 500) {
      serverErrors.push(`${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`);
      throw new Error(`5xx from ${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
    }
    return res;
  };

  /** A client address of its own for each call (TEST-NET-3, then TEST-NET-2: never routed). */
  let addresses = 0;
  const freshAddress = () => {
    const n = addresses++;
    if (n >= 508) throw new Error('out of test addresses');
    return n < 254 ? `203.0.113.${n + 1}` : `198.51.100.${n - 253}`;
  };
  const signIn = (username: string, password: string, from: string, url = stack.url) =>
    api(url, 'POST', '/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': from } });
  const attempts = (username: string) =>
    db.rows<{
      username: string;
      user_id: string | null;
      ip: string | null;
      outcome: string;
      refused_by: string | null;
      at: Date;
    }>('SELECT * FROM login_attempts WHERE username = $1 ORDER BY id', [username]);

  beforeAll(async () => {
    stack = await startStack({ TRUST_PROXY: 'loopback', INTAKE_REQUESTS_PER_SECOND: '2' });
    db = stack.app.get(Db);
    // A second gateway on the same Redis prefix and database, trusting no proxy (the default).
    process.env.TRUST_PROXY = 'false';
    const app = await NestFactory.create<NestExpressApplication>(GatewayModule, { logger: ['error', 'warn'] });
    setupGatewayApp(app);
    await app.listen(0, '127.0.0.1');
    other = { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
  });
  beforeEach(async () => {
    st = await createStation(stack.app, 2);
  });
  afterEach(() => {
    expect(serverErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await sleep(100);
    await other?.app.close();
    await stack?.close();
  });

  describe('login throttling', () => {
    it('the 6th wrong password within a minute is 429 with Retry-After, the right one too, and all is audited', async () => {
      const { username, id } = st.operators[0];
      const from = freshAddress();
      expect(LOGIN_LIMITS.perAccount).toBe(5);
      for (let i = 1; i <= 5; i++) {
        const res = await signIn(username, WRONG, from);
        expect({ i, status: res.status }).toEqual({ i, status: 401 });
      }
      const sixth = await signIn(username, WRONG, from);
      expect(sixth.status).toBe(429);
      const retryAfter = Number(sixth.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(LOGIN_LIMITS.windowSeconds);
      expect(sixth.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect(sixth.body.message).toMatch(/^登录尝试过多，请 \d+ 秒后再试$/);

      // the right password is refused as well while the account is blocked, from anywhere
      const right = await signIn(username, PASSWORD, from);
      expect(right.status).toBe(429);
      expect(right.body.accessToken).toBeUndefined();
      expect((await signIn(username, PASSWORD, freshAddress())).status).toBe(429);
      // another account from the same address is not affected
      expect((await signIn(st.operators[1].username, PASSWORD, from)).status).toBe(200);

      const rows = await attempts(username);
      const failed = rows.filter((r) => r.outcome === 'failed');
      const refused = rows.filter((r) => r.outcome === 'refused');
      expect(failed).toHaveLength(5);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const r of rows) {
        expect(r).toMatchObject({ username, user_id: id });
        expect(r.at).toBeInstanceOf(Date);
      }
      expect(failed.every((r) => r.ip === from && r.refused_by === null)).toBe(true);
      expect(refused[0]).toMatchObject({ ip: from, refused_by: 'account' });
      // never the password, in any column of any row
      const all = JSON.stringify(await db.rows('SELECT * FROM login_attempts'));
      expect(all).not.toContain(WRONG);
      expect(all).not.toContain(PASSWORD);
    });

    it('a successful sign-in resets the account’s failures', async () => {
      const { username } = st.operators[0];
      const from = freshAddress();
      for (let i = 0; i < 4; i++) expect((await signIn(username, WRONG, from)).status).toBe(401);
      expect((await signIn(username, PASSWORD, from)).status).toBe(200);
      for (let i = 1; i <= 5; i++) {
        const res = await signIn(username, WRONG, from);
        expect({ i, status: res.status }).toEqual({ i, status: 401 });
      }
      expect((await signIn(username, WRONG, from)).status).toBe(429);
    });

    it('unknown accounts are counted like real ones (a 429 says nothing about existence)', async () => {
      const username = `nobody-${randomUUID()}`;
      const from = freshAddress();
      for (let i = 0; i < 5; i++) expect((await signIn(username, WRONG, from)).status).toBe(401);
      expect((await signIn(username, WRONG, from)).status).toBe(429);
      const rows = await attempts(username);
      expect(rows.filter((r) => r.outcome === 'failed')).toHaveLength(5);
      expect(rows.every((r) => r.user_id === null)).toBe(true);
    });

    it('malformed sign-in bodies are 400 and do not count as failures', async () => {
      const { username } = st.operators[0];
      const from = freshAddress();
      for (let i = 0; i < 8; i++) {
        const res = await api(stack.url, 'POST', '/auth/login', {
          body: { username, password: 5 },
          headers: { 'x-forwarded-for': from },
        });
        expect(res.status).toBe(400);
      }
      expect((await signIn(username, PASSWORD, from)).status).toBe(200);
      expect(await attempts(username)).toEqual([]);
    });

    it('20 failures from one address (any accounts) block that address, not the others', async () => {
      expect(LOGIN_LIMITS.perAddress).toBe(20);
      const office = freshAddress();
      const accounts = [
        ...st.operators,
        await st.user('operator'),
        await st.user('operator'),
        await st.user('operator'),
      ];
      // 4 failures for each of 5 accounts: no account reaches its own limit
      for (const a of accounts) {
        for (let i = 0; i < 4; i++) expect((await signIn(a.username, WRONG, office)).status).toBe(401);
      }
      const fresh = await st.user('operator');
      const blocked = await signIn(fresh.username, PASSWORD, office);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(blocked.body.message).toMatch(/登录尝试过多/);
      // the same person from another address signs in
      expect((await signIn(fresh.username, PASSWORD, freshAddress())).status).toBe(200);
      const refused = (await attempts(fresh.username)).filter((r) => r.outcome === 'refused');
      expect(refused).toEqual([expect.objectContaining({ ip: office, refused_by: 'address' })]);
    });

    it('counts are shared by two gateways (same Redis), and X-Forwarded-For is believed only with TRUST_PROXY', async () => {
      const { username } = st.operators[0];
      const from = freshAddress();
      for (let i = 0; i < 3; i++) expect((await signIn(username, WRONG, from, stack.url)).status).toBe(401);
      for (let i = 0; i < 2; i++) expect((await signIn(username, WRONG, from, other.url)).status).toBe(401);
      expect((await signIn(username, PASSWORD, from, stack.url)).status).toBe(429);
      expect((await signIn(username, PASSWORD, from, other.url)).status).toBe(429);

      // an address blocked at the first gateway (which trusts the proxy header) …
      const office = freshAddress();
      const accounts = [
        await st.user('operator'),
        await st.user('operator'),
        await st.user('operator'),
        await st.user('operator'),
      ];
      for (const a of accounts) {
        for (let i = 0; i < 5; i++) expect((await signIn(a.username, WRONG, office, stack.url)).status).toBe(401);
      }
      const fresh = await st.user('operator');
      expect((await signIn(fresh.username, PASSWORD, office, stack.url)).status).toBe(429);
      // … means nothing to the second, which does not believe X-Forwarded-For: it sees 127.0.0.1
      expect((await signIn(fresh.username, PASSWORD, office, other.url)).status).toBe(200);
    });
  });

  describe('intake rate per key', () => {
    it('over INTAKE_REQUESTS_PER_SECOND × 10 s one key gets 429 with Retry-After; other keys go on', async () => {
      const limit = 2 * 10;
      const send = (key: string) =>
        api(stack.url, 'POST', '/contacts', {
          key,
          body: { hotlineNumber: `NO-${randomUUID().slice(0, 8)}`, channel: 'phone' },
        });
      for (let i = 1; i <= limit; i++) {
        const res = await send(st.intakeKey);
        expect({ i, status: res.status }).toEqual({ i, status: 404 });
      }
      const over = await send(st.intakeKey);
      expect(over.status).toBe(429);
      expect(over.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // abandon is intake too, under the same count
      expect((await api(stack.url, 'POST', `/contacts/${randomUUID()}/abandon`, { key: st.intakeKey })).status).toBe(
        429,
      );
      const another = await createStation(stack.app, 0);
      expect((await send(another.intakeKey)).status).toBe(404);
      // a bad key is still 401, not counted against anyone
      expect((await send('wrong-key')).status).toBe(401);
    });
  });

  describe('socket events per socket', () => {
    it('a burst over the rate on /agent gets rate_limited acks; the socket stays and is served again', async () => {
      const op = await AgentClient.connect(stack.url, await login(stack.url, st.operators[0].username));
      try {
        const { burst } = DEFAULT_SOCKET_EVENT_RATE;
        const acks = await Promise.all(Array.from({ length: burst + 20 }, () => op.emit('state:get')));
        const served = acks.filter((a) => a.ok === true);
        const limited = acks.filter((a) => a.ok === false);
        expect(served.length).toBeGreaterThanOrEqual(burst);
        expect(limited.length).toBeGreaterThanOrEqual(1);
        for (const a of limited) expect(a).toEqual(RATE_LIMITED_ACK);
        expect(op.socket.connected).toBe(true);
        // the bucket refills: the same socket is served again
        let again: any;
        for (let i = 0; i < 50 && !again?.ok; i++) {
          await sleep(100);
          again = await op.emit('state:get');
        }
        expect(again.ok).toBe(true);
      } finally {
        op.close();
      }
    });
  });

  describe('with Redis unreachable', () => {
    it('the limits fail open within a bound: sign-in and intake still work', async () => {
      const realRedis = process.env.REDIS_URL;
      process.env.REDIS_URL = 'redis://127.0.0.1:1'; // nothing listens on port 1
      let down: NestExpressApplication | undefined;
      try {
        down = await NestFactory.create<NestExpressApplication>(GatewayModule, { logger: false });
        setupGatewayApp(down);
        await down.listen(0, '127.0.0.1');
        const url = (await down.getUrl()).replace('[::1]', '127.0.0.1');
        const t0 = Date.now();
        expect((await signIn(st.operators[0].username, WRONG, freshAddress(), url)).status).toBe(401);
        expect((await signIn(st.operators[0].username, PASSWORD, freshAddress(), url)).status).toBe(200);
        const created = await api(url, 'POST', '/contacts', {
          key: st.intakeKey,
          body: { hotlineNumber: st.hotlineNumber, channel: 'phone', externalId: `redis-down-${randomUUID()}` },
        });
        expect(created.status).toBe(201);
        // each limiter waits for Redis about a second, not for ever (a loose bound for a slow machine)
        expect(Date.now() - t0).toBeLessThan(30_000);
      } finally {
        process.env.REDIS_URL = realRedis;
        await down?.close();
      }
    });
  });

  describe('security headers', () => {
    const expectHardened = (headers: Headers) => {
      const csp = headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('x-powered-by')).toBeNull();
    };

    it('on the API: CSP, nosniff, no X-Powered-By, Cache-Control no-store (also on errors); HSTS only over TLS', async () => {
      const token = await login(stack.url, st.operators[0].username);
      const me = await api(stack.url, 'GET', '/me', { token });
      expect(me.status).toBe(200);
      expectHardened(me.headers);
      expect(me.headers.get('cache-control')).toBe('no-store');
      expect(me.headers.get('strict-transport-security')).toBeNull();

      const supervisor = await login(stack.url, (await st.user('supervisor')).username);
      const records = await api(stack.url, 'GET', '/records', { token: supervisor });
      expect(records.status).toBe(200);
      expectHardened(records.headers);
      expect(records.headers.get('cache-control')).toBe('no-store');

      const denied = await api(stack.url, 'GET', '/me');
      expect(denied.status).toBe(401);
      expect(denied.headers.get('cache-control')).toBe('no-store');
      expectHardened(denied.headers);

      // behind a TLS-terminating proxy we trust (X-Forwarded-Proto: https): HSTS
      const tls = await api(stack.url, 'GET', '/me', { token, headers: { 'x-forwarded-proto': 'https' } });
      expect(tls.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      // the same header from a client no proxy vouches for (second gateway: no TRUST_PROXY) is not believed
      const spoofed = await api(other.url, 'GET', '/me', { token, headers: { 'x-forwarded-proto': 'https' } });
      expect(spoofed.status).toBe(200);
      expect(spoofed.headers.get('strict-transport-security')).toBeNull();
    });

    it('on the console and the OpenAPI page: the same policy; /api/docs may be cached', async () => {
      const page = await fetch(`${stack.url}/console/`);
      expect([200, 503]).toContain(page.status); // 503 when dist/console is not built
      expectHardened(page.headers);
      expect(page.headers.get('cache-control')).not.toBe('no-store');
      const docs = await fetch(`${stack.url}/api/docs`);
      expect(docs.status).toBe(200);
      expectHardened(docs.headers);
      expect(docs.headers.get('cache-control') ?? '').not.toContain('no-store');
    });
  });

  describe('CSV bodies', () => {
    const MEGA = 1024 * 1024;
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.url}/api${path}`, { method: 'POST', headers: { 'content-type': 'text/csv', ...headers }, body });
    const bigCsv = 'username,date,start,end\n' + 'x'.repeat(MEGA + MEGA / 2);

    it('a large text/csv body is not read before authentication: 401 (not 413), never a 5xx', async () => {
      const routes = [
        `/contacts/${randomUUID()}/outcome`,
        `/stations/${st.stationId}/shifts`,
        `/stations/${st.stationId}/shifts/import`,
      ];
      for (const path of routes) {
        const res = await post(path, bigCsv);
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
      }
      // unknown routes: 404, body unread
      const random = await post(`/no-such-route-${randomUUID()}`, bigCsv);
      expect(random.status).toBe(404);
      // the server is fine afterwards
      expect((await api(stack.url, 'GET', '/health')).status).toBe(200);
    });

    it('signed in, a JSON route does not parse text/csv: 400 naming the fields', async () => {
      const coordinator = await login(stack.url, (await st.user('coordinator', st.districtId)).username);
      const res = await post(`/stations/${st.stationId}/shifts`, 'workerId,startsAt\nx,y\n', {
        authorization: `Bearer ${coordinator}`,
      });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).toContain('workerId');
      expect(text).toContain('startsAt');
    });

    it(`the roster import reads its CSV after the guards: over 1 MB → 413, not CSV → 415, over ${MAX_ROSTER_ROWS} rows → 413 naming the cap`, async () => {
      const coordinator = await login(stack.url, (await st.user('coordinator', st.districtId)).username);
      const auth = { authorization: `Bearer ${coordinator}` };
      const path = `/stations/${st.stationId}/shifts/import`;

      const operatorToken = await login(stack.url, st.operators[0].username);
      expect((await post(path, bigCsv, { authorization: `Bearer ${operatorToken}` })).status).toBe(403);

      const tooBig = await post(path, bigCsv, auth);
      expect(tooBig.status).toBe(413);

      const json = await api(stack.url, 'POST', path, { token: coordinator, body: { username: 'x' } });
      expect(json.status).toBe(415);
      expect(json.body.message).toContain('text/csv');

      const op = st.operators[0].username;
      const row = (i: number) => {
        const day = new Date(Date.UTC(2031, 0, 1) + Math.floor(i / 3) * 86400000).toISOString().slice(0, 10);
        const start = ['00:00', '08:00', '16:00'][i % 3];
        const end = ['08:00', '16:00', '23:59'][i % 3];
        return `${op},${day},${start},${end}`;
      };
      const roster = (n: number) =>
        ['username,date,start,end', ...Array.from({ length: n }, (_, i) => row(i))].join('\n');

      const over = await post(path, roster(MAX_ROSTER_ROWS + 1), auth);
      expect(over.status).toBe(413);
      const body = (await over.json()) as { statusCode: number; message: unknown };
      expect(body.statusCode).toBe(413);
      expect(JSON.stringify(body.message)).toContain(String(MAX_ROSTER_ROWS));
      expect(JSON.stringify(body.message)).toMatch(/花名册/);
      expect(
        (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM shifts WHERE station_id = $1', [st.stationId]))!.n,
      ).toBe(0);

      // at the cap the rows are checked one by one (here: an unknown person on each line → 400, not 413)
      const atCap = await post(path, roster(MAX_ROSTER_ROWS).replaceAll(`${op},`, 'nobody-here,'), auth);
      expect(atCap.status).toBe(400);

      // and a normal roster is imported
      const ok = await post(path, roster(3), auth);
      expect(ok.status).toBe(201);
      expect(await ok.json()).toEqual({ imported: 3, replaced: 0 });
    });
  });
});
