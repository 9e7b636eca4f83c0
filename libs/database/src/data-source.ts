import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/**
 * `settings` become per-connection Postgres settings (kapok.*), read by database triggers that need a configured
 * default (the chat capacity check).
 */
export function dataSourceOptions(url: string, settings: Record<string, string | number> = {}): DataSourceOptions {
  const options = Object.entries(settings)
    .map(([k, v]) => `-c kapok.${k}=${v}`)
    .join(' ');
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: {
      max: Number(process.env.DB_POOL_SIZE ?? 10),
      application_name: 'kapok',
      // an unreachable host (packets dropped) fails in seconds instead of the OS's minutes: the caller gets 503
      connectionTimeoutMillis: 5000,
      ...(options ? { options } : {}),
    },
  };
}

/** Runs pending migrations under an advisory lock, so several processes booting at once apply each migration once. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock(7235001)');
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await ds.query('SELECT pg_advisory_unlock(7235001)');
    }
  } finally {
    await ds.destroy();
  }
}
