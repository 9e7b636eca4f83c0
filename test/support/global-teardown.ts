import { Client } from 'pg';

/** Drops this run's database. */
export default async function globalTeardown(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url || !/\/kapok_test_\d+$/.test(url)) return;
  const name = url.slice(url.lastIndexOf('/') + 1);
  const admin = new Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
  await admin.end();
}
