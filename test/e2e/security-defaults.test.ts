import { ChildProcess, spawn } from 'node:child_process';
import { createDecipheriv, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { io } from 'socket.io-client';
import { PUBLISHED_DEVELOPMENT_KEYS, SECRET_NAMES, decodeKey32, validateConfig } from '../../libs/config/src';
import { Stack, api, login, startStack } from '../support/stack';
import { TestStation, createStation } from '../support/fixtures';
import { deleteKeys } from '../support/redis-keys';

/**
 * Kapok has no published key on any path that serves requests (issue 8): the gateway and the router refuse to start
 * without their keys or with a development value that was once built in; a token signed with any such value, or
 * unsigned (`alg: none`), is refused on every authenticated operation of the OpenAPI document and on both sockets;
 * `npm start` makes its keys once, keeps them in <data>/secrets.json (0600) and reuses them.
 */

// Spawned processes (the launcher starts a gateway and a router, four times) are slow on a busy machine.
jest.setTimeout(300_000);

const DIST = join(__dirname, '../../dist/apps');
const entry = (app: string) => join(DIST, app, 'apps', app, 'src/main.js');

/** Every value ever built into Kapok as a development key (each was public in the repository). */
const PUBLISHED = SECRET_NAMES.flatMap((name) => PUBLISHED_DEVELOPMENT_KEYS[name]);

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** An HS256 JWT as jsonwebtoken / @nestjs/jwt make it. */
const signHs256 = (payload: object, key: string | Buffer) => {
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
};
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
const verifiesWith = (token: string, key: string) => {
  const [h, p, s] = token.split('.');
  const expected = createHmac('sha256', key).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
};

/**
 * Tokens nobody without the server's key can make, for the person of this real token: its own claims (real `sub`,
 * `role`, session id, expiry) and the bare old-style claims, signed with each published value (as text, and the
 * encryption key also as its 32 bytes), and unsigned with `alg: none`.
 */
function forgeries(realToken: string): Record<string, string> {
  const claims = claimsOf(realToken);
  const bare = { sub: claims.sub, role: claims.role, iat: claims.iat, exp: claims.exp };
  const out: Record<string, string> = {};
  for (const value of PUBLISHED) {
    out[`HS256 ${value}`] = signHs256(claims, value);
    out[`HS256 ${value} (bare claims)`] = signHs256(bare, value);
    const bytes = decodeKey32(value);
    if (bytes) out[`HS256 bytes of ${value}`] = signHs256(claims, bytes);
  }
  for (const alg of ['none', 'None', 'NONE']) {
    out[`alg ${alg}`] = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}.`;
    out[`alg ${alg}, real signature kept`] = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}.${realToken.split('.')[2]}`;
  }
  return out;
}

/**
 * A stored caller's number decrypted by hand with this key (docs/records.md: AES-256-GCM, format byte ‖ 12-byte IV ‖
 * 16-byte tag ‖ ciphertext, the contact's id as additional data); throws when the key is not the one it was made with.
 */
function decryptNumber(contactId: string, value: Buffer, key: string): string {
  const decipher = createDecipheriv('aes-256-gcm', decodeKey32(key)!, value.subarray(1, 13));
  decipher.setAAD(Buffer.from(`kapok:contact:${contactId.toLowerCase()}`, 'utf8'));
  decipher.setAuthTag(value.subarray(13, 29));
  return Buffer.concat([decipher.update(value.subarray(29)), decipher.final()]).toString('utf8');
}

/** Connects to a socket namespace: 'connected', or the message of its connect_error. */
function connectSocket(url: string, namespace: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}${namespace}`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error(`${namespace}: neither connect nor connect_error within 10 s`));
    }, 10_000);
    socket.on('connect', () => {
      clearTimeout(timer);
      socket.disconnect();
      resolve('connected');
    });
    socket.on('connect_error', (err) => {
      clearTimeout(timer);
      socket.disconnect();
      resolve(`connect_error: ${err.message}`);
    });
  });
}

interface Operation {
  method: string;
  path: string;
}

/** The operations of the app's own OpenAPI document that require a credential, with real ids put in their paths. */
async function authenticatedOperations(url: string, ids: Record<string, string>): Promise<Operation[]> {
  const res = await fetch(`${url}/api/docs-json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, any>> };
  const ops: Operation[] = [];
  for (const [template, byMethod] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      if (!op?.security?.length) continue; // login, health: public
      const path = template.replace(/^\/api/, '').replace(/\{(\w+)\}/g, (_, name: string) => {
        const key = `${template.split('/')[2]}.${name}`; // e.g. "contacts.id", "auth.id", "stations.stationId"
        return ids[key] ?? ids[name] ?? randomUUID();
      });
      const required = (op.parameters ?? []).filter((p: any) => p.in === 'query' && p.required);
      const query = required.map((p: any) => `${p.name}=${encodeURIComponent(p.name === 'reason' ? '回电' : '1')}`);
      ops.push({ method: method.toUpperCase(), path: query.length ? `${path}?${query.join('&')}` : path });
    }
  }
  return ops;
}

/**
 * Every forged token on every authenticated operation: 401. Also checks, so the sweep cannot pass for a wrong
 * reason, that each operation exists and checks credentials (401 with none) and that the real tokens themselves
 * are accepted where it is safe to try (GET: not 401).
 */
async function expectForgeriesRefused(url: string, ops: Operation[], realTokens: string[]): Promise<void> {
  const tokens = Object.assign({}, ...realTokens.map((t) => forgeries(t))) as Record<string, string>;
  const wrong: string[] = [];
  const call = (op: Operation, token?: string) =>
    api(url, op.method, op.path, { token, body: ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined });
  for (const op of ops) {
    const anonymous = await call(op);
    if (anonymous.status !== 401) wrong.push(`${op.method} ${op.path} without a token → ${anonymous.status}`);
    if (op.method === 'GET') {
      for (const real of realTokens) {
        const res = await call(op, real);
        if (res.status === 401 || res.status >= 500) wrong.push(`${op.method} ${op.path} real token → ${res.status}`);
      }
    }
    for (const [name, token] of Object.entries(tokens)) {
      const res = await call(op, token);
      if (res.status !== 401) wrong.push(`${op.method} ${op.path} ${name} → ${res.status} ${res.text.slice(0, 120)}`);
    }
  }
  expect(wrong).toEqual([]);
}

async function expectSocketsRefuse(url: string, agentToken: string, monitorToken: string): Promise<void> {
  expect(await connectSocket(url, '/agent', agentToken)).toBe('connected');
  expect(await connectSocket(url, '/monitor', monitorToken)).toBe('connected');
  const results: Record<string, string> = {};
  for (const [namespace, real] of [
    ['/agent', agentToken],
    ['/monitor', monitorToken],
  ]) {
    for (const [name, token] of Object.entries(forgeries(real))) {
      results[`${namespace} ${name}`] = await connectSocket(url, namespace, token);
    }
  }
  for (const [what, result] of Object.entries(results)) {
    expect({ what, result: result.startsWith('connect_error') }).toEqual({ what, result: true });
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** The environment of the jest run without the three keys (global-setup put random ones in). */
const withoutKeys = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const name of SECRET_NAMES) delete env[name];
  return env;
};

/** Runs a dist entry point to its exit (it must exit: refusing to start): exit code and everything it printed. */
function runToExit(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    // A process that does not refuse keeps serving: stop it after a while and report that it did not exit.
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('no published key serves requests', () => {
  describe('the gateway and the router started on their own', () => {
    beforeAll(() => {
      for (const app of ['gateway', 'router']) {
        if (!existsSync(entry(app))) throw new Error(`${entry(app)} is missing: npm test builds it (npm run build)`);
      }
    });
    const base = async () => ({
      ...withoutKeys(),
      NODE_ENV: 'development', // what a bare `npm run start:gateway` has
      DB_MIGRATE: 'false',
      DEMO: 'false',
      LOG_LEVEL: 'warn',
      PORT: String(await freePort()),
      REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'kapok-test'}-alone`,
    });

    it.each(['gateway', 'router'])(
      '%s refuses to start without the keys, naming each and how to make one',
      async (app) => {
        const { code, output } = await runToExit(entry(app), await base());
        expect(code).toBe(1);
        for (const name of SECRET_NAMES) expect(output).toContain(`${name}: required`);
        expect(output).toContain('openssl rand -hex 32');
      },
    );

    it.each(['gateway', 'router'])('%s refuses each published development value', async (app) => {
      const env = {
        ...(await base()),
        JWT_SECRET: PUBLISHED_DEVELOPMENT_KEYS.JWT_SECRET[0],
        CALLER_NUMBER_KEY: PUBLISHED_DEVELOPMENT_KEYS.CALLER_NUMBER_KEY[0],
        CALLER_NUMBER_ENCRYPTION_KEY: PUBLISHED_DEVELOPMENT_KEYS.CALLER_NUMBER_ENCRYPTION_KEY[0],
      };
      const { code, output } = await runToExit(entry(app), env);
      expect(code).toBe(1);
      for (const name of SECRET_NAMES) expect(output).toContain(`${name}: is a published development value`);
    });

    it('the gateway refuses DEMO=true with NODE_ENV=production, naming DEMO', async () => {
      const keys = Object.fromEntries(SECRET_NAMES.map((name) => [name, process.env[name]]));
      const env = { ...(await base()), ...keys, NODE_ENV: 'production', DEMO: 'true' };
      const { code, output } = await runToExit(entry('gateway'), env);
      expect(code).toBe(1);
      expect(output).toContain('DEMO: must not be true when NODE_ENV=production');
    });
  });

  describe('forged tokens on a running stack (every authenticated operation of the OpenAPI document, both sockets)', () => {
    let stack: Stack;
    let st: TestStation;
    const tokens: Record<'operator' | 'supervisor' | 'admin', string> = {} as never;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      stack = await startStack();
      st = await createStation(stack.app, 1);
      const supervisor = await st.user('supervisor');
      const admin = await st.user('admin', st.cityId);
      tokens.operator = await login(stack.url, st.operators[0].username);
      tokens.supervisor = await login(stack.url, supervisor.username);
      tokens.admin = await login(stack.url, admin.username);
      // A real contact with a caller's number at the supervisor's station: what the confirmed attack read.
      const contact = await api(stack.url, 'POST', '/contacts', {
        key: st.intakeKey,
        body: { hotlineNumber: st.hotlineNumber, channel: 'phone', callerNumber: '13812345678' },
      });
      expect(contact.status).toBe(201);
      const fullNumber = await api(stack.url, 'GET', `/contacts/${contact.body.id}/caller-number?reason=回电`, {
        token: tokens.supervisor,
      });
      expect(fullNumber.body).toMatchObject({ callerNumber: '13812345678' });
      Object.assign(ids, {
        'contacts.id': contact.body.id,
        'records.contactId': contact.body.id,
        'auth.id': claimsOf(tokens.supervisor).sid ?? randomUUID(),
        stationId: st.stationId,
      });
    });
    afterAll(async () => stack?.close());

    it('the server does not use any published value as its key', () => {
      const cfg = validateConfig(process.env);
      for (const value of PUBLISHED) {
        for (const token of Object.values(tokens)) expect(verifiesWith(token, value)).toBe(false);
        expect(cfg.CALLER_NUMBER_KEY).not.toBe(value);
        expect(cfg.CALLER_NUMBER_ENCRYPTION_KEY).not.toBe(value);
      }
    });

    it('a token signed with a published value, or unsigned, is 401 on every authenticated operation', async () => {
      const ops = await authenticatedOperations(stack.url, ids);
      // The document lists the surface; a few operations the attack would aim at must be among them.
      const listed = ops.map((o) => `${o.method} ${o.path.split('?')[0]}`);
      expect(listed).toEqual(
        expect.arrayContaining([
          'GET /me',
          `GET /contacts/${ids['contacts.id']}/caller-number`,
          'GET /audit-log',
          'GET /records',
        ]),
      );
      expect(ops.length).toBeGreaterThanOrEqual(20);
      await expectForgeriesRefused(stack.url, ops, [tokens.supervisor, tokens.admin]);
      // Only the operator's own claims, on the operations an operator uses most.
      await expectForgeriesRefused(
        stack.url,
        ops.filter((o) => o.path === '/me' || o.path.startsWith('/contacts/')),
        [tokens.operator],
      );
    });

    it('/agent and /monitor refuse a forged or unsigned token (connect_error)', async () => {
      await expectSocketsRefuse(stack.url, tokens.operator, tokens.supervisor);
    });
  });

  describe('npm start: keys generated once into <data>/secrets.json (0600), then reused', () => {
    const LAUNCHER = entry('launcher');
    const dbName = `kapok_test_${process.pid}_secrets_${randomUUID().slice(0, 8)}`;
    const server = () => process.env.DATABASE_URL!.replace(/\/[^/]+$/, '');
    const prefix = () => `${process.env.REDIS_PREFIX ?? 'kapok-test'}-secrets`;
    let dataDir: string;
    let secretsFile: string;
    let running: ChildProcess | undefined;
    let url: string;

    /** Starts the launcher as `npm start` does (no keys in its environment); resolves once it says it is running. */
    async function launch(extra: NodeJS.ProcessEnv = {}): Promise<string> {
      await stop();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      const child = spawn(process.execPath, [LAUNCHER], {
        env: {
          ...withoutKeys(),
          NODE_ENV: 'development',
          KAPOK_DATA_DIR: dataDir,
          DATABASE_URL: `${server()}/${dbName}`,
          REDIS_PREFIX: prefix(),
          PORT: String(port),
          DEMO: 'true',
          LOG_LEVEL: 'warn',
          ...extra,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running = child;
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (output.includes('is running')) return resolve();
          if (child.exitCode !== null) return reject(new Error(`launcher exited (${child.exitCode}): ${output}`));
          setTimeout(check, 100);
        };
        check();
      });
      return output;
    }

    async function stop(): Promise<void> {
      const child = running;
      running = undefined;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }

    const readSecrets = () => JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>;

    beforeAll(async () => {
      if (!existsSync(LAUNCHER)) throw new Error(`${LAUNCHER} is missing: npm test builds it (npm run build)`);
      dataDir = mkdtempSync(join(tmpdir(), 'kapok-data-'));
      secretsFile = join(dataDir, 'secrets.json');
      const admin = new Client({ connectionString: `${server()}/postgres` });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${dbName}"`);
      await admin.end();
    });

    // A test that fails half-way leaves no launcher (and its gateway and router) running.
    afterEach(() => stop());

    afterAll(async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      const admin = new Client({ connectionString: `${server()}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
      await deleteKeys(process.env.REDIS_URL!, prefix());
    });

    let first: Record<string, string>;
    let firstToken: string;
    let contactId: string;

    it('the first start generates the three keys into secrets.json with mode 0600 and says where they are', async () => {
      expect(existsSync(secretsFile)).toBe(false);
      const output = await launch();
      expect(existsSync(secretsFile)).toBe(true);
      expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
      first = readSecrets();
      for (const name of SECRET_NAMES) expect(first[name]).toMatch(/^[0-9a-f]{64}$/);
      expect(new Set(SECRET_NAMES.map((n) => first[n])).size).toBe(3);
      expect(output).toContain(secretsFile);
      expect(output).toMatch(/generated JWT_SECRET, CALLER_NUMBER_KEY, CALLER_NUMBER_ENCRYPTION_KEY/);
      // The keys themselves are never printed.
      for (const name of SECRET_NAMES) expect(output).not.toContain(first[name]);

      // The gateway signs with the kept JWT_SECRET, and with nothing published.
      firstToken = await login(url, 'demo-supervisor', 'hotline-demo');
      expect(verifiesWith(firstToken, first.JWT_SECRET)).toBe(true);
      for (const value of PUBLISHED) expect(verifiesWith(firstToken, value)).toBe(false);

      // The caller's number is hashed and encrypted with the kept keys.
      const number = '13912348765';
      const contact = await api(url, 'POST', '/contacts', {
        key: 'demo-intake-key',
        body: { hotlineNumber: '020-8100-0001', channel: 'phone', callerNumber: number },
      });
      expect(contact.status).toBe(201);
      contactId = contact.body.id;
      const db = new Client({ connectionString: `${server()}/${dbName}` });
      await db.connect();
      const row = (
        await db.query('SELECT caller_number_hash, caller_number_enc FROM contacts WHERE id = $1', [contactId])
      ).rows[0];
      await db.end();
      expect(row.caller_number_hash).toBe(createHmac('sha256', first.CALLER_NUMBER_KEY).update(number).digest('hex'));
      expect(decryptNumber(contactId, row.caller_number_enc, first.CALLER_NUMBER_ENCRYPTION_KEY)).toBe(number);
      for (const value of PUBLISHED.filter((v) => decodeKey32(v))) {
        expect(() => decryptNumber(contactId, row.caller_number_enc, value)).toThrow();
      }

      // The confirmed attack: a token for the real supervisor, self-signed with a published value, is refused.
      const ops = [
        { method: 'GET', path: '/me' },
        { method: 'GET', path: `/contacts/${contactId}/caller-number?reason=${encodeURIComponent('回电')}` },
      ];
      await expectForgeriesRefused(url, ops, [firstToken]);
      const operator = await login(url, 'demo-operator', 'hotline-demo');
      await expectSocketsRefuse(url, operator, firstToken);
      await stop();
    });

    it('the next start reuses the same keys: tokens stay valid and stored numbers readable', async () => {
      const output = await launch();
      expect(readSecrets()).toEqual(first);
      expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
      expect(output).toContain(`JWT_SECRET, CALLER_NUMBER_KEY, CALLER_NUMBER_ENCRYPTION_KEY: from ${secretsFile}`);
      expect(output).not.toMatch(/generated/);
      expect((await api(url, 'GET', '/me', { token: firstToken })).body).toMatchObject({ username: 'demo-supervisor' });
      const read = await api(url, 'GET', `/contacts/${contactId}/caller-number?reason=${encodeURIComponent('回电')}`, {
        token: firstToken,
      });
      expect(read.body).toMatchObject({ callerNumber: '13912348765' });
      await stop();
    });

    it('with the database holding numbers and secrets.json gone, it refuses to make new keys and says why', async () => {
      unlinkSync(secretsFile);
      const message = await launch().then(
        () => 'started',
        (err: Error) => err.message,
      );
      expect(message).toMatch(/^launcher exited \(1\)/);
      expect(message).toContain("The database already holds callers' numbers");
      expect(message).toContain('CALLER_NUMBER_KEY and CALLER_NUMBER_ENCRYPTION_KEY');
      expect(message).toContain(secretsFile);
      expect(message).toContain('KAPOK_NEW_KEYS=true');
      expect(existsSync(secretsFile)).toBe(false);
    });

    it('KAPOK_NEW_KEYS=true starts with new keys (the old numbers stay unreadable)', async () => {
      await launch({ KAPOK_NEW_KEYS: 'true' });
      const renewed = readSecrets();
      expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
      for (const name of SECRET_NAMES) expect(renewed[name]).not.toBe(first[name]);
      expect((await api(url, 'GET', '/me', { token: firstToken })).status).toBe(401);
      await stop();
    });
  });
});
