import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { api, login } from '../support/stack';
import { deleteKeys } from '../support/redis-keys';

const LAUNCHER = join(__dirname, '../../dist/apps/launcher/apps/launcher/src/main.js');

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** The processes whose parent is `pid`, with their command lines (from /proc). */
function childrenOf(pid: number): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so read after the last ')'
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      found.push({ pid: Number(entry), cmd: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

/** Whether a process with this pid is still there (a zombie left unreaped counts as stopped). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** `npm start`'s launcher as a real process: migrations, the contract's demo data, gateway + router. */
describe('npm start (the launcher) with DEMO=true on an empty database', () => {
  const dbName = `kapok_test_${process.pid}_launch`;
  const server = process.env.DATABASE_URL!.replace(/\/[^/]+$/, '');
  const prefix = `${process.env.REDIS_PREFIX}-launch`; // under this file's prefix: removed with it
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    if (!existsSync(LAUNCHER)) throw new Error(`${LAUNCHER} is missing: npm test builds it (npm run build)`);
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [LAUNCHER], {
      env: {
        ...process.env,
        DATABASE_URL: `${server}/${dbName}`,
        REDIS_PREFIX: prefix,
        PORT: String(port),
        DEMO: 'true',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    for (let i = 0; i < 300 && !output.includes('is running'); i++) {
      if (child.exitCode !== null) throw new Error(`launcher exited: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!output.includes('is running')) throw new Error(`launcher did not come up: ${output}`);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    await deleteKeys(process.env.REDIS_URL!, prefix);
  });

  it('prints the URL and the demo accounts', () => {
    expect(output).toContain(`${url.replace('127.0.0.1', 'localhost')}/api`);
    for (const name of [
      'demo-operator',
      'demo-operator-2',
      'demo-coordinator',
      'demo-supervisor',
      'demo-manager',
      'demo-admin',
    ]) {
      expect(output).toContain(name);
    }
    expect(output).toContain('demo-intake-key');
  });

  it('is healthy and seeded with the Guangzhou tree, its 236 lines and the six accounts', async () => {
    expect((await api(url, 'GET', '/health')).body).toMatchObject({ status: 'ok' });
    const manager = await login(url, 'demo-manager', 'hotline-demo');
    const units = (await api(url, 'GET', '/org-units', { token: manager })).body as { level: string; name: string }[];
    const count = (level: string) => units.filter((u) => u.level === level).length;
    expect([count('city'), count('region'), count('district'), count('station')]).toEqual([1, 4, 11, 176]);
    // 村(居) points at the first district's first six stations (delivering places for material aid)
    expect(count('point')).toBe(18);
    expect(
      units
        .filter((u) => u.level === 'district')
        .map((u) => u.name)
        .sort(),
    ).toEqual(
      [
        '越秀区',
        '海珠区',
        '荔湾区',
        '天河区',
        '白云区',
        '黄埔区',
        '番禺区',
        '花都区',
        '南沙区',
        '从化区',
        '增城区',
      ].sort(),
    );
    const lines = (await api(url, 'GET', '/hotlines', { token: manager })).body as { stationId: string }[];
    expect(lines).toHaveLength(236);
    const stationIds = new Set(units.filter((u) => u.level === 'station').map((u: any) => u.id));
    expect(lines.every((l) => stationIds.has(l.stationId))).toBe(true);

    const roles: Record<string, string> = {
      'demo-operator': 'operator',
      'demo-operator-2': 'operator',
      'demo-coordinator': 'coordinator',
      'demo-supervisor': 'supervisor',
      'demo-manager': 'manager',
      'demo-admin': 'admin',
    };
    const homes: Record<string, string> = {};
    for (const [username, role] of Object.entries(roles)) {
      const token = await login(url, username, 'hotline-demo');
      const me = (await api(url, 'GET', '/me', { token })).body;
      expect(me).toMatchObject({ username, role });
      homes[username] = me.orgUnitId;
    }
    expect(homes['demo-operator']).toBe(homes['demo-operator-2']);
    const coordinatorUnits = (
      await api(url, 'GET', '/org-units', { token: await login(url, 'demo-coordinator', 'hotline-demo') })
    ).body as { id: string; level: string }[];
    expect(coordinatorUnits.find((u) => u.level === 'district')).toBeTruthy();
    expect(coordinatorUnits.map((u) => u.id)).toContain(homes['demo-operator']);
    expect(coordinatorUnits.some((u) => u.level === 'city' || u.level === 'region')).toBe(false);
  });

  it('takes a contact on the demo line with the demo intake key', async () => {
    const res = await api(url, 'POST', '/contacts', {
      key: 'demo-intake-key',
      body: { hotlineNumber: '020-8100-0001', channel: 'phone', callerNumber: '13900001111' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'queued', callerNumberMasked: '139****1111' });
  });

  it('stops both processes on SIGTERM', async () => {
    const apps = childrenOf(child.pid!);
    expect(apps.map((p) => /dist\/apps\/(\w+)\//.exec(p.cmd)?.[1]).sort()).toEqual(['gateway', 'router']);
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    // the launcher waits for both before it exits: neither is left running (nor orphaned to init)
    expect(apps.filter((p) => running(p.pid))).toEqual([]);
  });
});
