import { Client } from 'pg';
import Redis from 'ioredis';
import { runMigrations } from '../../libs/database/src/data-source';

/**
 * Once per `jest` run: a fresh test database on the real PostgreSQL, migrated, and a check that Redis answers.
 * TEST_DATABASE_SERVER / TEST_REDIS_URL select other servers (default: the local ones).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.KAPOK_TEST_READY) return;
  const server = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  const name = process.env.TEST_DATABASE_NAME ?? 'kapok_test';
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect().catch((err) => {
    throw new Error(`Tests need PostgreSQL at ${server} (${err.message}); see README "Tests"`);
  });
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  process.env.DATABASE_URL = `${server}/${name}`;
  await runMigrations(process.env.DATABASE_URL);

  process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const redis = new Redis(process.env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect().catch((err) => {
    throw new Error(`Tests need Redis at ${process.env.REDIS_URL} (${err.message}); see README "Tests"`);
  });
  const stale = await redis.keys('kapok-test-*');
  if (stale.length) await redis.del(...stale);
  redis.disconnect();
  process.env.KAPOK_TEST_READY = '1';
}
