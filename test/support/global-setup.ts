import { Client } from 'pg';
import Redis from 'ioredis';
// data-source, not the package index: globalSetup runs outside jest's moduleNameMapper, so `@kapok/*` imports (which
// the index pulls in through the Nest modules) cannot be resolved here.
// eslint-disable-next-line no-restricted-imports -- see above
import { runMigrations } from '../../libs/database/src/data-source';
import { generateSecrets } from '../../libs/config/src';

/**
 * Once per `jest` run: a fresh test database on the real PostgreSQL, migrated, and a check that Redis answers.
 * TEST_DATABASE_SERVER / TEST_REDIS_URL select other servers (default: the local ones).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.KAPOK_TEST_READY) return;
  // Kapok has no built-in keys: every run gets its own random ones (processes the tests spawn inherit them).
  Object.assign(process.env, generateSecrets());
  const server = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  // One database per jest run (several runs may share a machine); databases of runs that are gone are dropped.
  const name = `kapok_test_${process.pid}`;
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect().catch((err) => {
    throw new Error(`Tests need PostgreSQL at ${server} (${err.message}); see README "Tests"`);
  });
  const old = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'kapok\\_test\\_%'`,
  );
  for (const { datname } of old.rows) {
    const pid = Number(/^kapok_test_(\d+)/.exec(datname)?.[1]); // kapok_test_<pid> and kapok_test_<pid>_<purpose>
    if (pid === process.pid || !isAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  process.env.DATABASE_URL = `${server}/${name}`;
  await runMigrations(process.env.DATABASE_URL);

  process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const redis = new Redis(process.env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect().catch((err) => {
    throw new Error(`Tests need Redis at ${process.env.REDIS_URL} (${err.message}); see README "Tests"`);
  });
  // Keys of test files of runs that are gone (killed before their files' teardown): kapok-test-p<pid>-…
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'kapok-test-p*', 'COUNT', 1000);
      const stale = keys.filter((k) => {
        const pid = Number(/^kapok-test-p(\d+)-/.exec(k)?.[1]);
        return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid);
      });
      if (stale.length) await redis.unlink(...stale);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  process.env.KAPOK_TEST_READY = '1';
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
