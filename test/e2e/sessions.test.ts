import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import { io } from 'socket.io-client';
import { UserSessions } from '../../libs/auth/src';
import { Db } from '../../libs/database/src';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';
import { PASSWORD, TestStation, TestTree, createStation, createTree } from '../support/fixtures';

/**
 * Sign-in sessions (issue 8): a token lives as long as its session; sign-out and revocation end it at once, and the
 * sockets opened with it follow — also when the account is deactivated, the token expires, or the person's unit
 * changes while connected. Real stack, real socket.io clients.
 */

/** Resolves when the client's socket closes: how, and how long after `since` (ms). */
function closed(c: AgentClient, since: number, timeoutMs = 15_000): Promise<{ reason: string; ms: number }> {
  if (!c.socket.connected) return Promise.reject(new Error('the socket was not connected'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the socket was still open after ${timeoutMs} ms`)), timeoutMs);
    c.socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve({ reason, ms: Date.now() - since });
    });
  });
}

/** Opens a socket and resolves with the server's refusal (connect_error message); fails if it connects. */
function refusal(
  url: string,
  namespace: '/agent' | '/monitor',
  opts: { token?: string; origin?: string; transport?: 'websocket' | 'polling' } = {},
): Promise<string> {
  const s = io(`${url}${namespace}`, {
    auth: opts.token ? { token: opts.token } : {},
    transports: [opts.transport ?? 'websocket'],
    extraHeaders: opts.origin ? { origin: opts.origin } : undefined,
    reconnection: false,
    forceNew: true,
  });
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither connected nor refused within 10 s')), 10_000);
    s.on('connect', () => {
      clearTimeout(timer);
      reject(new Error(`${namespace} connected${opts.origin ? ` from ${opts.origin}` : ''}`));
    });
    s.on('connect_error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
  }).finally(() => s.close());
}

/** Connects a socket with these options and resolves with its first event `first` (fails on a refusal). */
function accepted(
  url: string,
  namespace: '/agent' | '/monitor',
  first: string,
  opts: { token: string; origin?: string; transport?: 'websocket' | 'polling' },
): Promise<unknown> {
  const s = io(`${url}${namespace}`, {
    auth: { token: opts.token },
    transports: [opts.transport ?? 'websocket'],
    extraHeaders: opts.origin ? { origin: opts.origin } : undefined,
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${first} within 10 s`)), 10_000);
    s.on(first, (data) => {
      clearTimeout(timer);
      resolve(data);
    });
    s.on('connect_error', (err) => {
      clearTimeout(timer);
      reject(new Error(`refused: ${err.message}`));
    });
  }).finally(() => s.close());
}

const loginFrom = (url: string, username: string, userAgent: string) =>
  api(url, 'POST', '/auth/login', { body: { username, password: PASSWORD }, headers: { 'user-agent': userAgent } });

const measured: string[] = [];

describe('sign-in sessions', () => {
  let stack: Stack;
  let st: TestStation;
  const clients: AgentClient[] = [];
  const track = (c: AgentClient) => (clients.push(c), c);
  const status = async (token: string) => (await api(stack.url, 'GET', '/me', { token })).status;

  beforeAll(async () => {
    stack = await startStack({
      RECONNECT_GRACE_SECONDS: '60',
      CORS_ORIGINS: 'https://console.example.org, http://localhost:5173',
    });
  });
  beforeEach(async () => {
    st = await createStation(stack.app, 2);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
    if (measured.length) console.info(`sessions.test measured:\n  ${measured.splice(0).join('\n  ')}`);
  });

  it('sign-out revokes the token at once and closes its sockets; other sessions go on', async () => {
    const token = await login(stack.url, st.operators[0].username);
    const other = await login(stack.url, st.operators[0].username);
    const sock = track(await AgentClient.connect(stack.url, token));
    const otherSock = track(await AgentClient.connect(stack.url, other));
    expect(await status(token)).toBe(200);

    const t0 = Date.now();
    const gone = closed(sock, t0);
    expect((await api(stack.url, 'POST', '/auth/logout', { token })).status).toBe(204);
    expect(await status(token)).toBe(401);
    expect(await sock.next('session:ended', undefined, 15_000)).toEqual({ reason: 'logout' });
    const { reason, ms } = await gone;
    expect(reason).toBe('io server disconnect');
    measured.push(`logout → socket closed in ${ms} ms`);
    expect(await refusal(stack.url, '/agent', { token })).toMatch(/^unauthorized/);
    expect((await api(stack.url, 'POST', '/auth/logout', { token })).status).toBe(401);

    // The operator's other session (another tab or workstation) is untouched.
    expect(await status(other)).toBe(200);
    expect(otherSock.socket.connected).toBe(true);
    expect((await otherSock.emit('state:get')).ok).toBe(true);
  });

  it('lists my sessions and revokes one of them, closing its sockets; never someone else’s', async () => {
    const first = await loginFrom(stack.url, st.operators[0].username, 'KapokTest/1 (desk A)');
    const second = await loginFrom(stack.url, st.operators[0].username, 'KapokTest/2 (desk B)');
    expect([first.status, second.status]).toEqual([200, 200]);
    const mine = first.body.accessToken as string;
    const theirs = second.body.accessToken as string;

    const list = await api(stack.url, 'GET', '/auth/sessions', { token: mine });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    const [newest, older] = list.body;
    expect(newest).toMatchObject({ userAgent: 'KapokTest/2 (desk B)', current: false });
    expect(older).toMatchObject({ userAgent: 'KapokTest/1 (desk A)', current: true });
    expect(older.ip).toMatch(/127\.0\.0\.1/);
    for (const s of list.body) {
      // JWT_TTL_SECONDS (12 h) from the sign-in, ending on the whole second the token's exp names.
      const lifetime = new Date(s.expiresAt).getTime() - new Date(s.createdAt).getTime();
      expect(lifetime).toBeGreaterThan(12 * 3600 * 1000 - 1000);
      expect(lifetime).toBeLessThanOrEqual(12 * 3600 * 1000);
      expect(s.lastSeenAt).toEqual(expect.any(String));
    }

    // The last use is recorded (to the minute, not on every request).
    const db = stack.app.get(Db);
    await db.run(`UPDATE sessions SET last_seen_at = now() - interval '5 minutes' WHERE id = $1`, [older.id]);
    const stale = Date.now() - 4 * 60_000;
    expect(await status(mine)).toBe(200);
    for (let i = 0; i < 50; i++) {
      const row = await db.one<{ last_seen_at: Date }>('SELECT last_seen_at FROM sessions WHERE id = $1', [older.id]);
      if (new Date(row!.last_seen_at).getTime() > stale) break;
      await sleep(100);
    }
    const seen = await db.one<{ last_seen_at: Date }>('SELECT last_seen_at FROM sessions WHERE id = $1', [older.id]);
    expect(new Date(seen!.last_seen_at).getTime()).toBeGreaterThan(stale);

    // Someone else's session, an unknown one and a malformed id.
    const stranger = await login(stack.url, st.operators[1].username);
    const strangers = await api(stack.url, 'GET', '/auth/sessions', { token: stranger });
    expect(strangers.body).toHaveLength(1);
    const foreign = await api(stack.url, 'DELETE', `/auth/sessions/${strangers.body[0].id}`, { token: mine });
    expect(foreign.status).toBe(404);
    expect(await status(stranger)).toBe(200);
    expect(
      (await api(stack.url, 'DELETE', '/auth/sessions/00000000-0000-4000-8000-000000000000', { token: mine })).status,
    ).toBe(404);
    const bad = await api(stack.url, 'DELETE', '/auth/sessions/not-a-session', { token: mine });
    expect(bad.status).toBe(400);
    expect((await api(stack.url, 'GET', '/auth/sessions')).status).toBe(401);

    // Revoking desk B's session from desk A: its token is refused and its socket closed.
    const sock = track(await AgentClient.connect(stack.url, theirs));
    const gone = closed(sock, Date.now());
    expect((await api(stack.url, 'DELETE', `/auth/sessions/${newest.id}`, { token: mine })).status).toBe(204);
    expect(await status(theirs)).toBe(401);
    expect(await sock.next('session:ended', undefined, 15_000)).toEqual({ reason: 'revoked' });
    measured.push(`revoke from the list → socket closed in ${(await gone).ms} ms`);
    expect(await status(mine)).toBe(200);
    const after = await api(stack.url, 'GET', '/auth/sessions', { token: mine });
    expect(after.body.map((s: { id: string }) => s.id)).toEqual([older.id]);
    // Revoking an ended session again changes nothing.
    expect((await api(stack.url, 'DELETE', `/auth/sessions/${newest.id}`, { token: mine })).status).toBe(204);
  });

  it('documents sign-out and the sessions routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${stack.url}/api/docs-json`)).json()) as any;
    expect(Object.keys(doc.paths['/api/auth/logout'])).toEqual(['post']);
    expect(doc.paths['/api/auth/sessions'].get.responses['200']).toBeDefined();
    expect(doc.paths['/api/auth/sessions/{id}'].delete.responses).toMatchObject({ '204': {}, '404': {} });
    expect(Object.keys(doc.components.schemas.SessionDto.properties).sort()).toEqual(
      ['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastSeenAt', 'userAgent'].sort(),
    );
  });

  it('refuses a validly signed token without a session id (tokens from before sessions), and a borrowed sid', async () => {
    const jwt = stack.app.get(JwtService);
    const op = st.operators[0];
    const noSid = await jwt.signAsync({ sub: op.id, role: 'operator' }, { expiresIn: 3600 });
    expect(await status(noSid)).toBe(401);
    expect(await refusal(stack.url, '/agent', { token: noSid })).toMatch(/^unauthorized/);

    // A real session id, but of another person.
    const otherToken = await login(stack.url, st.operators[1].username);
    const sid = (await api(stack.url, 'GET', '/auth/sessions', { token: otherToken })).body[0].id;
    const borrowed = await jwt.signAsync({ sub: op.id, role: 'operator', sid }, { expiresIn: 3600 });
    expect(await status(borrowed)).toBe(401);
    expect(await status(otherToken)).toBe(200);
  });

  it('a deactivated operator is disconnected within seconds, cannot reconnect, and their open offer moves on', async () => {
    const [a, b] = st.operators;
    const tokenA = await login(stack.url, a.username);
    const sockA = track(await AgentClient.connect(stack.url, tokenA));
    await sockA.available();
    const created = await api(stack.url, 'POST', '/contacts', {
      key: st.intakeKey,
      body: { hotlineNumber: st.hotlineNumber, channel: 'chat' },
    });
    const offer = await sockA.next('contact:offer');
    expect(offer.contact.id).toBe(created.body.id);
    const sockB = track(await AgentClient.connect(stack.url, await login(stack.url, b.username)));
    await sockB.available();
    await sockB.none('contact:offer', 200); // reserved for a while a holds the offer

    // Deactivation as it is done today: straight in the database (no API call, no signal).
    const t0 = Date.now();
    const gone = closed(sockA, t0);
    await stack.app.get(Db).run('UPDATE users SET active = false WHERE id = $1', [a.id]);
    const { ms } = await gone;
    measured.push(`operator deactivated → /agent socket closed in ${ms} ms`);
    expect(sockA.events.find((e) => e.event === 'session:ended')?.data).toEqual({ reason: 'deactivated' });

    const rerouted = await sockB.next('contact:offer', (o) => o.contact.id === created.body.id, 10_000);
    expect(rerouted.offerId).not.toBe(offer.offerId);
    expect(await status(tokenA)).toBe(401);
    expect(await refusal(stack.url, '/agent', { token: tokenA })).toMatch(/^unauthorized/);
    // Signing in again is refused too.
    expect((await loginFrom(stack.url, a.username, 'KapokTest')).status).toBe(401);
  });

  it('a socket that connects while a re-check is reading is not judged by that read', async () => {
    const first = track(await AgentClient.connect(stack.url, await login(stack.url, st.operators[0].username)));
    const secondToken = await login(stack.url, st.operators[1].username);
    // Hold the re-check's read (it reads supervisor_stations; connecting an operator does not) across a connect.
    const locker = new Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    let second: AgentClient;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE supervisor_stations IN ACCESS EXCLUSIVE MODE');
      await sleep(2500); // a re-check has started and waits for the lock
      second = track(await AgentClient.connect(stack.url, secondToken));
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }
    await sleep(2500); // the held re-check finished, and the next one too
    for (const c of [first, second]) {
      expect(c.events.filter((e) => e.event === 'session:ended')).toEqual([]);
      expect(c.socket.connected).toBe(true);
    }
  });

  it('UserSessions.revokeAll (what deactivating through the admin API calls) ends every session and socket at once', async () => {
    const op = st.operators[0];
    const [t1, t2] = [await login(stack.url, op.username), await login(stack.url, op.username)];
    const socks = [track(await AgentClient.connect(stack.url, t1)), track(await AgentClient.connect(stack.url, t2))];
    const t0 = Date.now();
    const gone = socks.map((c) => closed(c, t0));
    await stack.app.get(UserSessions).revokeAll(op.id);
    const times = (await Promise.all(gone)).map((g) => g.ms);
    measured.push(`revokeAll → both sockets closed in ${times.join(' / ')} ms`);
    for (const c of socks)
      expect(c.events.find((e) => e.event === 'session:ended')?.data).toEqual({ reason: 'deactivated' });
    expect([await status(t1), await status(t2)]).toEqual([401, 401]);
    // A new sign-in still works: revoking sessions is not deactivating the account.
    expect(await status(await login(stack.url, op.username))).toBe(200);
  });

  it('a deactivated coordinator’s /monitor socket is closed within seconds and cannot reconnect', async () => {
    const coordinator = await st.user('coordinator', st.districtId);
    const token = await login(stack.url, coordinator.username);
    const board = track(await AgentClient.monitor(stack.url, token));
    const t0 = Date.now();
    const gone = closed(board, t0);
    await stack.app.get(Db).run('UPDATE users SET active = false WHERE id = $1', [coordinator.id]);
    const { ms } = await gone;
    measured.push(`coordinator deactivated → /monitor socket closed in ${ms} ms`);
    expect(board.events.find((e) => e.event === 'session:ended')?.data).toEqual({ reason: 'deactivated' });
    expect(await refusal(stack.url, '/monitor', { token })).toMatch(/^unauthorized/);
    expect(await status(token)).toBe(401);
  });

  describe('a coordinator moved to another unit', () => {
    let tree: TestTree;
    beforeEach(async () => {
      tree = await createTree(stack.app);
    });

    it('is disconnected, and reconnects (same token) to the new unit’s alerts only', async () => {
      const coordinator = await tree.user('coordinator', tree.districts.a1);
      const token = await login(stack.url, coordinator.username);
      const board = track(await AgentClient.monitor(stack.url, token));
      const critical = (hotline: string) =>
        api(stack.url, 'POST', '/contacts', {
          key: tree.intakeKey,
          body: { hotlineNumber: hotline, channel: 'phone', riskLevel: 'critical' },
        });
      const before = await critical(tree.stations.a1s1.hotline);
      await board.next('risk:alert', (a) => a.contactId === before.body.id);

      const gone = closed(board, Date.now());
      await stack.app
        .get(Db)
        .run('UPDATE users SET org_unit_id = $2 WHERE id = $1', [coordinator.id, tree.districts.b1]);
      const { ms } = await gone;
      measured.push(`coordinator moved → /monitor socket closed in ${ms} ms`);
      expect(board.events.find((e) => e.event === 'session:ended')?.data).toEqual({ reason: 'changed' });

      const again = track(await AgentClient.monitor(stack.url, token));
      const snapshot = await again.emit('snapshot:get');
      expect(snapshot.snapshot.units[0].orgUnitId).toBe(tree.districts.b1);
      const old = await critical(tree.stations.a1s2.hotline);
      const now = await critical(tree.stations.b1s1.hotline);
      await again.next('risk:alert', (a) => a.contactId === now.body.id);
      expect(again.events.some((e) => e.event === 'risk:alert' && e.data.contactId === old.body.id)).toBe(false);
    });

    it('a supervisor whose stations change is reconnected to the new set', async () => {
      const supervisor = await tree.user('supervisor', tree.stations.a1s1.id);
      const token = await login(stack.url, supervisor.username);
      const board = track(await AgentClient.monitor(stack.url, token));
      await sleep(2500); // a re-check that finds nothing changed keeps the socket
      expect(board.socket.connected).toBe(true);
      const gone = closed(board, Date.now());
      await stack.app
        .get(Db)
        .run('INSERT INTO supervisor_stations (user_id, station_id) VALUES ($1, $2)', [
          supervisor.id,
          tree.stations.b1s1.id,
        ]);
      expect((await gone).reason).toBe('io server disconnect');
      expect(board.events.find((e) => e.event === 'session:ended')?.data).toEqual({ reason: 'changed' });
      const again = track(await AgentClient.monitor(stack.url, token));
      const units = (await again.emit('snapshot:get')).snapshot.units.map((u: { orgUnitId: string }) => u.orgUnitId);
      expect(units.sort()).toEqual([tree.stations.a1s1.id, tree.stations.b1s1.id].sort());
    });
  });

  describe('socket origins', () => {
    it('refuses browsers on other sites, accepts the gateway’s own origin, CORS_ORIGINS and clients without an Origin', async () => {
      const operator = await login(stack.url, st.operators[0].username);
      const coordinator = await login(stack.url, (await st.user('coordinator', st.districtId)).username);
      for (const transport of ['websocket', 'polling'] as const) {
        for (const origin of [
          'https://evil.example',
          'null',
          'http://127.0.0.1.evil.example',
          'http://localhost:5174',
        ]) {
          await expect(refusal(stack.url, '/agent', { token: operator, origin, transport })).resolves.toEqual(
            expect.any(String),
          );
        }
        await expect(
          refusal(stack.url, '/monitor', { token: coordinator, origin: 'https://evil.example', transport }),
        ).resolves.toEqual(expect.any(String));
        // The console served by this gateway (same host and port).
        await expect(
          accepted(stack.url, '/agent', 'agent:state', { token: operator, origin: stack.url, transport }),
        ).resolves.toBeTruthy();
        await expect(
          accepted(stack.url, '/monitor', 'queue:snapshot', { token: coordinator, origin: stack.url, transport }),
        ).resolves.toBeTruthy();
        // Listed in CORS_ORIGINS.
        for (const origin of ['https://console.example.org', 'http://localhost:5173']) {
          await expect(
            accepted(stack.url, '/agent', 'agent:state', { token: operator, origin, transport }),
          ).resolves.toBeTruthy();
        }
        // No Origin at all: not a browser (telephony gateways, scripts).
        await expect(
          accepted(stack.url, '/agent', 'agent:state', { token: operator, transport }),
        ).resolves.toBeTruthy();
      }
    });
  });
});

describe('a token that expires while its sockets are open', () => {
  const TTL_SECONDS = 6;
  let stack: Stack;
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    stack = await startStack({ JWT_TTL_SECONDS: String(TTL_SECONDS) });
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
    if (measured.length) console.info(`sessions.test measured:\n  ${measured.splice(0).join('\n  ')}`);
  });

  it('closes the /agent and /monitor sockets at the expiry, and the token is refused after it', async () => {
    const st = await createStation(stack.app, 1);
    const coordinator = await st.user('coordinator', st.districtId);
    const signedIn = Date.now();
    const opToken = await login(stack.url, st.operators[0].username);
    const coToken = await login(stack.url, coordinator.username);
    const agent = new AgentClient(stack.url, opToken);
    const board = new AgentClient(stack.url, coToken, { namespace: '/monitor' });
    clients.push(agent, board);
    await agent.next('agent:state');
    await board.next('queue:snapshot');
    const closes = await Promise.all([closed(agent, signedIn, 30_000), closed(board, signedIn, 30_000)]);
    for (const [c, { ms }] of [agent, board].map((c, i) => [c, closes[i]] as const)) {
      expect(c.events.find((e) => e.event === 'session:ended')?.data).toEqual({ reason: 'expired' });
      // Not before the token's lifetime (exp is whole seconds: at least TTL - 1 s after sign-in).
      expect(ms).toBeGreaterThanOrEqual((TTL_SECONDS - 1) * 1000);
    }
    measured.push(
      `token expiry (TTL ${TTL_SECONDS} s) → sockets closed ${closes.map((c) => c.ms).join(' / ')} ms after sign-in`,
    );
    expect((await api(stack.url, 'GET', '/me', { token: opToken })).status).toBe(401);
    expect(await refusal(stack.url, '/agent', { token: opToken })).toMatch(/^unauthorized/);
    expect(await refusal(stack.url, '/monitor', { token: coToken })).toMatch(/^unauthorized/);
  });
});
