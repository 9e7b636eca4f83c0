import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { addMonths, shanghaiToday } from '../../libs/common/src';
import { AuthModule } from '../../libs/auth/src';
import { KapokConfigModule } from '../../libs/config/src';
import { DatabaseModule } from '../../libs/database/src';
import { OrgModule } from '../../libs/org/src';
import { PASSWORD, TestStation, createStation, redisPrefix } from '../support/fixtures';
import { ReconnectingOperator, api } from '../support/process-clients';
import { Proc, checkBuilt, freePort, processLogs, removeRedisKeys, waitUp } from '../support/processes';

/**
 * Backup and restore as docs/operations.md gives them: contacts are answered and completed (statistics written), one
 * more waits in line with nobody on duty; the database is dumped with `pg_dump -Fc` and restored with `pg_restore`
 * into a fresh database; a gateway and a router are started on the restored database with an empty Redis (a new key
 * prefix: no queue, no timers, no presence, no heartbeats). The statistics read the same as before, the reconcile of
 * the rollups finds nothing to fix, the contact that waited before the dump is offered to the operator who comes on
 * duty, and a new intake is routed.
 */

@Module({ imports: [KapokConfigModule, DatabaseModule, AuthModule, OrgModule] })
class FixturesModule {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

describe('backup with pg_dump, restore into a fresh database, start on an empty Redis', () => {
  const prefixBefore = `${redisPrefix()}-bk1`;
  const prefixAfter = `${redisPrefix()}-bk2`;
  const procs: Proc[] = [];
  const operators: ReconnectingOperator[] = [];
  let ctx: INestApplicationContext | undefined;
  let st: TestStation;
  const original = process.env.DATABASE_URL!;
  const server = original.replace(/\/[^/]*$/, '');
  const restoredName = `${original.replace(/^.*\//, '')}_restored`;
  const restored = `${server}/${restoredName}`;
  const dir = mkdtempSync(join(tmpdir(), 'kapok-backup-'));
  let failed = false;
  const killAll = () => procs.forEach((p) => p.running && p.child.kill('SIGKILL'));

  const admin = async (sql: string) => {
    const c = new Client({ connectionString: `${server}/postgres` });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const query = async <T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  };

  const startStack = async (databaseUrl: string, prefix: string): Promise<string> => {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_PREFIX: prefix,
      OFFER_TIMEOUT_SECONDS: '20',
      RECONCILE_INTERVAL_SECONDS: '3',
      DEMO: 'false',
    };
    const port = await freePort();
    const gw = new Proc('gateway', 'gateway', { ...env, PORT: String(port) });
    const router = new Proc('router', 'router', { ...env, PORT: '0' });
    procs.push(gw, router);
    const url = `http://127.0.0.1:${port}`;
    await waitUp([url], [gw, router], prefix);
    return url;
  };

  const stopStack = async () => {
    operators.splice(0).forEach((o) => o.close());
    for (const p of procs) await p.terminate(30_000);
  };

  beforeAll(async () => {
    checkBuilt();
    process.once('exit', killAll);
    Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'warn', REDIS_PREFIX: prefixBefore });
    ctx = await NestFactory.createApplicationContext(FixturesModule, { logger: ['error', 'warn'] });
    st = await createStation(ctx, 1);
  }, 60_000);

  afterAll(async () => {
    operators.forEach((o) => o.close());
    await Promise.all(procs.map((p) => p.stop()));
    if (failed) console.log(`what the processes printed:\n${processLogs(procs)}`);
    process.removeListener('exit', killAll);
    await ctx?.close();
    await removeRedisKeys(prefixBefore);
    await removeRedisKeys(prefixAfter);
    await admin(`DROP DATABASE IF EXISTS "${restoredName}" WITH (FORCE)`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('restores figures that reconcile equal, and routing resumes with the contact that waited', async () => {
    failed = true;
    const tag = randomUUID().slice(0, 8);
    const adminUser = await st.user('admin', st.cityId);
    const today = shanghaiToday(new Date());
    const statsPath = `/stats/service-counts?from=${addMonths(today, -1)}&to=${today}&groupBy=station`;
    const intake = (gw: string, n: string) =>
      api(gw, 'POST', '/contacts', {
        key: st.intakeKey,
        body: {
          hotlineNumber: st.hotlineNumber,
          channel: 'phone',
          externalId: `bk-${tag}-${n}`,
          callerNumber: `1380000${n.padStart(4, '0')}`,
        },
      });
    const login = async (gw: string, username: string) => {
      const res = await api(gw, 'POST', '/auth/login', { body: { username, password: PASSWORD } });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    };
    const statusOf = async (url: string, id: string) =>
      (await query<{ status: string }>(url, 'SELECT status FROM contacts WHERE id = $1', [id]))[0]?.status;

    // Before: three contacts answered and completed, one abandoned, one waiting with nobody on duty.
    let gw = await startStack(original, prefixBefore);
    const operatorName = st.operators[0].username;
    const op1 = new ReconnectingOperator(operatorName, gw, await login(gw, operatorName), [gw], st.intakeKey);
    operators.push(op1);
    await op1.connect();
    const done: string[] = [];
    for (const n of ['1', '2', '3']) {
      const res = await intake(gw, n);
      expect(res.status).toBe(201);
      done.push(res.body.id);
      await waitFor('completed', async () =>
        (await statusOf(original, res.body.id)) === 'completed' ? true : undefined,
      );
    }
    op1.close();
    await waitFor('the operator off duty', async () => {
      const rows = await query<{ n: number }>(
        original,
        'SELECT count(*)::int AS n FROM agent_sessions WHERE user_id = $1',
        [st.operators[0].id],
      );
      return rows[0].n === 0 ? true : undefined;
    });
    const left = await intake(gw, '4');
    expect(left.status).toBe(201);
    expect((await api(gw, 'POST', `/contacts/${left.body.id}/abandon`, { key: st.intakeKey })).status).toBe(200);
    const waiting = await intake(gw, '5');
    expect(waiting.status).toBe(201);
    await sleep(4000); // a reconcile sweep or two: nobody to offer it to
    expect(await statusOf(original, waiting.body.id)).toBe('queued');

    const adminToken = await login(gw, adminUser.username);
    const statsBefore = await api(gw, 'GET', statsPath, { token: adminToken });
    expect(statsBefore.status).toBe(200);
    expect(statsBefore.body.totals.contacts).toBe(5);
    expect(statsBefore.body.totals.served).toBe(3);
    const reconcileBefore = await api(gw, 'GET', '/stats/reconcile', { token: adminToken });
    expect(reconcileBefore.body.ok).toBe(true);
    await stopStack();
    procs.splice(0);

    // The backup and the restore, as docs/operations.md gives them.
    const dump = join(dir, 'kapok.dump');
    execFileSync('pg_dump', ['-Fc', '-f', dump, original], { stdio: 'pipe' });
    expect(statSync(dump).size).toBeGreaterThan(0);
    await admin(`CREATE DATABASE "${restoredName}"`);
    execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '-d', restored, dump], { stdio: 'pipe' });

    // After: the restored database, an empty Redis.
    gw = await startStack(restored, prefixAfter);
    const adminAfter = await login(gw, adminUser.username);
    const statsAfter = await api(gw, 'GET', statsPath, { token: adminAfter });
    expect(statsAfter.status).toBe(200);
    expect(statsAfter.body).toEqual(statsBefore.body);
    const reconcileAfter = await api(gw, 'GET', '/stats/reconcile', { token: adminAfter });
    expect(reconcileAfter.status).toBe(200);
    expect(reconcileAfter.body.ok).toBe(true);
    expect(reconcileAfter.body.tables.map((t: { table: string }) => t.table)).toEqual(
      reconcileBefore.body.tables.map((t: { table: string }) => t.table),
    );

    // Routing resumes: the contact that waited is offered to the operator who comes on duty, then a new one.
    const op2 = new ReconnectingOperator(operatorName, gw, await login(gw, operatorName), [gw], st.intakeKey);
    operators.push(op2);
    await op2.connect();
    await op2.socket.timeout(10_000).emitWithAck('presence:set', { status: 'available' });
    await waitFor('the waiting contact completed', async () =>
      (await statusOf(restored, waiting.body.id)) === 'completed' ? true : undefined,
    );
    const fresh = await intake(gw, '6');
    expect(fresh.status).toBe(201);
    await waitFor('the new contact completed', async () =>
      (await statusOf(restored, fresh.body.id)) === 'completed' ? true : undefined,
    );
    expect(op2.handled.map((h) => h.id)).toEqual([waiting.body.id, fresh.body.id]);
    expect(op2.problems).toEqual([]);
    // The original database was not touched by the restored stack.
    expect(await statusOf(original, waiting.body.id)).toBe('queued');
    failed = false;
  }, 240_000);
});
