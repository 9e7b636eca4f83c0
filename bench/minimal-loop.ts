/**
 * The minimal durable loop the routing benchmark compares Kapok with (bench/routing.ts starts it as a child process
 * in the same run, on the same Postgres, Redis and socket.io client library). Nothing else than:
 *
 *   HTTP intake → Postgres insert → BullMQ job → worker → conditional UPDATE … RETURNING → socket.io emit to the
 *   operator client
 *
 * plus the two transitions the benchmark's operators make: accept (socket ack, one conditional UPDATE) and complete
 * (HTTP, one statement that frees the operator, then a BullMQ job that offers them the oldest waiting contact).
 * Matching is "longest idle free operator" / "oldest waiting contact", rows locked with FOR UPDATE SKIP LOCKED. No
 * organisation tree, skills, priorities, timers, records, audit or statistics: it is the floor, not a design.
 *
 *   node -r @swc-node/register bench/minimal-loop.ts   (env: PORT, DATABASE_URL, REDIS_URL, REDIS_PREFIX)
 *
 * Prints `minimal loop listening on <port>` once the schema exists and the worker is running.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Queue, Worker } from 'bullmq';
import { Pool } from 'pg';
import { Server } from 'socket.io';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ml_operators (
    id int PRIMARY KEY,
    online boolean NOT NULL DEFAULT false,
    contact_id uuid,
    free_since timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS ml_operators_free ON ml_operators (free_since) WHERE online AND contact_id IS NULL;
  CREATE TABLE IF NOT EXISTS ml_contacts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    line text NOT NULL,
    caller text NOT NULL,
    status text NOT NULL DEFAULT 'queued',
    operator_id int,
    queued_at timestamptz NOT NULL DEFAULT now(),
    offered_at timestamptz,
    ended_at timestamptz
  );
  CREATE INDEX IF NOT EXISTS ml_contacts_waiting ON ml_contacts (queued_at) WHERE status = 'queued';
  CREATE UNIQUE INDEX IF NOT EXISTS ml_contacts_one_per_operator ON ml_contacts (operator_id)
    WHERE status IN ('offered', 'active');`;

/** The contact's offer to the longest idle free operator, if any: one statement, both rows locked. */
const OFFER_CONTACT = `
  WITH op AS (SELECT id FROM ml_operators WHERE online AND contact_id IS NULL
               ORDER BY free_since LIMIT 1 FOR UPDATE SKIP LOCKED),
       c AS (UPDATE ml_contacts SET status = 'offered', operator_id = (SELECT id FROM op), offered_at = now()
              WHERE id = $1 AND status = 'queued' AND EXISTS (SELECT 1 FROM op) RETURNING id, operator_id)
  UPDATE ml_operators o SET contact_id = c.id FROM c WHERE o.id = c.operator_id RETURNING o.id AS operator, c.id`;

/** The free operator's offer of the oldest waiting contact, if any. */
const OFFER_OPERATOR = `
  WITH op AS (SELECT id FROM ml_operators WHERE id = $1 AND online AND contact_id IS NULL FOR UPDATE SKIP LOCKED),
       w AS (SELECT id FROM ml_contacts WHERE status = 'queued' AND EXISTS (SELECT 1 FROM op)
              ORDER BY queued_at LIMIT 1 FOR UPDATE SKIP LOCKED),
       c AS (UPDATE ml_contacts x SET status = 'offered', operator_id = $1, offered_at = now()
              FROM w WHERE x.id = w.id RETURNING x.id, x.operator_id)
  UPDATE ml_operators o SET contact_id = c.id FROM c WHERE o.id = c.operator_id RETURNING o.id AS operator, c.id`;

async function main(): Promise<void> {
  const db = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  await db.query(SCHEMA);
  const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const bull = {
    connection: { host: redis.hostname, port: Number(redis.port || 6379), maxRetriesPerRequest: null },
    prefix: `${process.env.REDIS_PREFIX ?? 'kapok-bench-min'}:bull`,
  };
  const queue = new Queue('minimal', bull);
  const jobOpts = { removeOnComplete: true, removeOnFail: 1000 };

  const readBody = (req: IncomingMessage) =>
    new Promise<any>((res, rej) => {
      let s = '';
      req.on('data', (b) => (s += b));
      req.on('end', () => {
        try {
          res(s ? JSON.parse(s) : {});
        } catch (e) {
          rej(e);
        }
      });
    });
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const http = createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'POST' && req.url === '/contacts') {
          const b = await readBody(req);
          if (typeof b.line !== 'string' || typeof b.caller !== 'string') return send(res, 400, { error: 'line' });
          const { rows } = await db.query<{ id: string }>(
            'INSERT INTO ml_contacts (line, caller) VALUES ($1, $2) RETURNING id',
            [b.line, b.caller],
          );
          await queue.add('route-contact', { id: rows[0].id }, jobOpts);
          return send(res, 201, { id: rows[0].id });
        }
        const m = /^\/contacts\/([0-9a-f-]{36})\/complete$/.exec(req.url ?? '');
        if (req.method === 'POST' && m) {
          const { rows } = await db.query<{ id: number }>(
            `WITH c AS (UPDATE ml_contacts SET status = 'done', ended_at = now()
                         WHERE id = $1 AND status = 'active' RETURNING operator_id)
             UPDATE ml_operators o SET contact_id = NULL, free_since = now() FROM c WHERE o.id = c.operator_id
             RETURNING o.id`,
            [m[1]],
          );
          if (!rows.length) return send(res, 409, { error: 'not active' });
          await queue.add('route-operator', { id: rows[0].id }, jobOpts);
          return send(res, 200, { ok: true });
        }
        send(res, 404, {});
      } catch (err) {
        send(res, 500, { error: (err as Error).message });
      }
    })();
  });
  const io = new Server(http, { transports: ['websocket'] });
  io.of('/agent').on('connection', (socket) => {
    const id = Number(socket.handshake.auth?.operator);
    void socket.join(`op:${id}`);
    socket.on('available', async (_: unknown, ack: (r: unknown) => void) => {
      const { rows } = await db.query(
        `INSERT INTO ml_operators (id, online) VALUES ($1, true)
           ON CONFLICT (id) DO UPDATE SET online = true, free_since = now() RETURNING id`,
        [id],
      );
      await queue.add('route-operator', { id }, jobOpts);
      ack({ ok: rows.length === 1 });
    });
    socket.on('accept', async (p: { id: string }, ack: (r: unknown) => void) => {
      const { rowCount } = await db.query(
        `UPDATE ml_contacts SET status = 'active' WHERE id = $1 AND status = 'offered' AND operator_id = $2`,
        [p.id, id],
      );
      ack({ ok: rowCount === 1 });
    });
    socket.on('disconnect', () => void db.query('UPDATE ml_operators SET online = false WHERE id = $1', [id]));
  });

  const worker = new Worker(
    'minimal',
    async (job) => {
      const sql = job.name === 'route-contact' ? OFFER_CONTACT : OFFER_OPERATOR;
      const { rows } = await db.query<{ operator: number; id: string }>(sql, [job.data.id]);
      for (const r of rows) io.of('/agent').to(`op:${r.operator}`).emit('offer', { id: r.id });
    },
    { ...bull, concurrency: 8 },
  );
  await worker.waitUntilReady();
  // Safety net against a lost wake-up (a contact inserted while the only free operator's row was locked by a match
  // that did not see it yet): every half second, free operators are offered what waits.
  const sweep = setInterval(() => {
    void db
      .query<{ id: number }>(
        `SELECT id FROM ml_operators WHERE online AND contact_id IS NULL
           AND EXISTS (SELECT 1 FROM ml_contacts WHERE status = 'queued') ORDER BY free_since LIMIT 100`,
      )
      .then(async ({ rows }) => {
        for (const r of rows) await queue.add('route-operator', { id: r.id }, jobOpts);
      })
      .catch(() => undefined);
  }, 500);
  const port = Number(process.env.PORT ?? 0);
  http.listen(port, '127.0.0.1', () => {
    const a = http.address();
    console.log(`minimal loop listening on ${typeof a === 'object' && a ? a.port : port}`);
  });
  const stop = async () => {
    clearInterval(sweep);
    await worker.close();
    await queue.close();
    void io.close();
    await db.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
