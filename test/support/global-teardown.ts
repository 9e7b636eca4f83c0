import { Client } from 'pg';

/** Drops this run's database, and any database of one of its files that was not dropped (a file killed midway). */
export default async function globalTeardown(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url || !/\/kapok_test_\d+$/.test(url)) return;
  const name = url.slice(url.lastIndexOf('/') + 1);
  const admin = new Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    const mine = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [name, `${name.replace(/_/g, '\\_')}\\_%`],
    );
    for (const { datname } of mine.rows)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
  } finally {
    await admin.end();
  }
}
