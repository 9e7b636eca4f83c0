import { runMigrations } from '../../libs/database/src';
import { createStation, TestStation } from '../support/fixtures';
import { OwnPostgres, startOwnPostgres } from '../support/own-services';
import { api, Stack, startStack } from '../support/stack';
import { Client } from 'pg';

/**
 * Issue 10 (6): Postgres restarts under intake. The gateway runs against a Postgres of this test's own, which is
 * restarted (`pg_ctl restart -m fast`: every connection terminated) while a telephony gateway keeps sending contacts.
 * Intake answers 2xx or 503 with Retry-After, never another 5xx; a 503'd contact sent again (as the gateway would)
 * is created once; nothing acknowledged is lost, nothing is doubled.
 */
describe('intake while Postgres restarts', () => {
  let pg: OwnPostgres;
  let stack: Stack;
  let station: TestStation;

  beforeAll(async () => {
    pg = await startOwnPostgres();
    await runMigrations(pg.url);
    stack = await startStack({ DATABASE_URL: pg.url });
    station = await createStation(stack.app, 1);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await pg?.stop();
  });

  const send = (externalId: string) =>
    api(stack.url, 'POST', '/contacts', {
      key: station.intakeKey,
      body: { hotlineNumber: station.hotlineNumber, channel: 'phone', externalId, callerNumber: '13800138000' },
    });

  it('answers 2xx or 503 + Retry-After, and loses or doubles nothing', async () => {
    const answers: { id: string; status: number; retryAfter: string | null; message?: unknown }[] = [];
    let sending = true;
    let n = 0;
    // a gateway sending a contact every 20 ms, each request on its own (as calls arrive)
    const sender = (async () => {
      const inflight: Promise<void>[] = [];
      while (sending) {
        const id = `pg-restart-${++n}`;
        inflight.push(
          send(id).then((r) => {
            answers.push({ id, status: r.status, retryAfter: r.headers.get('retry-after'), message: r.body?.message });
          }),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.all(inflight);
    })();

    await new Promise((r) => setTimeout(r, 1000));
    const restartedAt = Date.now();
    await pg.restart();
    const restartMs = Date.now() - restartedAt;
    await new Promise((r) => setTimeout(r, 1500));
    sending = false;
    await sender;

    const unexpected = answers.filter((a) => ![200, 201, 503].includes(a.status));
    expect(unexpected).toEqual([]);
    const unavailable = answers.filter((a) => a.status === 503);
    for (const a of unavailable) {
      expect(a.retryAfter).toMatch(/^\d+$/);
      expect(String(a.message)).toContain('数据库暂时不可用');
    }

    // the telephony gateway sends every 503'd contact again after Retry-After; some may have been written before
    // the connection dropped (200, the same contact), the others now (201)
    for (const a of unavailable) {
      let again = await send(a.id);
      for (let i = 0; again.status === 503 && i < 30; i++) {
        await new Promise((r) => setTimeout(r, Number(again.headers.get('retry-after') ?? 1) * 1000));
        again = await send(a.id);
      }
      expect([200, 201]).toContain(again.status);
    }

    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ external_id: string; n: string }>(
        `SELECT external_id, count(*) AS n FROM contacts WHERE external_id LIKE 'pg-restart-%' GROUP BY external_id`,
      );
      // every contact the gateway sent exists exactly once
      expect(rows.length).toBe(answers.length);
      expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    } finally {
      await db.end();
    }
    console.log(
      `Postgres restart took ${restartMs} ms; ${answers.length} intake requests: ` +
        `${answers.filter((a) => a.status < 300).length} answered 2xx, ${unavailable.length} answered 503 (sent again: created once)`,
    );
  }, 120_000);

  it('answers 503 with Retry-After while Postgres stays down, and the contact sent again is created once', async () => {
    await pg.down();
    try {
      const started = Date.now();
      const down = await Promise.all([1, 2, 3].map((i) => send(`pg-down-${i}`)));
      expect(down.map((r) => r.status)).toEqual([503, 503, 503]);
      for (const r of down) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      console.log(`intake answered 503 after ${Date.now() - started} ms with Postgres down`);
    } finally {
      await pg.up();
    }
    for (const i of [1, 2, 3]) {
      let again = await send(`pg-down-${i}`);
      for (let n = 0; again.status === 503 && n < 30; n++) {
        await new Promise((r) => setTimeout(r, 1000));
        again = await send(`pg-down-${i}`);
      }
      expect(again.status).toBe(201);
    }
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT external_id FROM contacts WHERE external_id LIKE 'pg-down-%'`);
      expect(rows.map((r) => r.external_id).sort()).toEqual(['pg-down-1', 'pg-down-2', 'pg-down-3']);
    } finally {
      await db.end();
    }
  }, 120_000);
});
