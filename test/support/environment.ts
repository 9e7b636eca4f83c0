import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { deleteKeys } from './redis-keys';

/**
 * The environment of every integration, end-to-end and browser test file: a database and a Redis key prefix of the
 * file's own, so no file ever sees what another one made (the router's reconcile sweep of one file would otherwise
 * find and route the waiting contacts, dead sockets and open offers left by earlier files).
 *
 * - Database: a copy of the run's migrated database (`kapok_test_<pid>`, made by global-setup), taken as a template
 *   before the file starts (`kapok_test_<pid>_f<random>`) and dropped once the file is done, its hooks included.
 * - Redis: `REDIS_PREFIX` is `kapok-test-p<run pid>-<random>`; every key under it (and under `<prefix>-…`, for the
 *   processes a file spawns) is deleted once the file is done; a run killed before that is cleaned up by the next
 *   run's global-setup.
 *
 * The file sees them as process.env.DATABASE_URL and process.env.REDIS_PREFIX (jest gives each file its own copy of
 * process.env).
 */
export default class KapokTestEnvironment extends TestEnvironment {
  private database?: { server: string; name: string };
  private prefix?: string;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
  }

  override async setup(): Promise<void> {
    await super.setup();
    const template = process.env.DATABASE_URL;
    const m = template && /^(.*)\/(kapok_test_\d+)$/.exec(template);
    if (!m) throw new Error(`DATABASE_URL=${template} is not the run's test database: run the tests through jest`);
    const [, server, templateName] = m;
    // the run's pid in the prefix: global-setup removes the keys of runs that are gone (killed before their teardown)
    this.prefix = `kapok-test-p${templateName.slice('kapok_test_'.length)}-${randomBytes(4).toString('hex')}`;
    const name = `${templateName}_f${randomBytes(4).toString('hex')}`;
    await withAdmin(server, async (admin) => {
      // CREATE DATABASE … TEMPLATE needs the template free of sessions; one may be closing still: try again.
      for (let attempt = 1; ; attempt++) {
        try {
          await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName}"`);
          break;
        } catch (err) {
          if (attempt >= 50 || !/being accessed by other users/.test((err as Error).message)) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    });
    this.database = { server, name };
    this.global.process.env.DATABASE_URL = `${server}/${name}`;
    this.global.process.env.REDIS_PREFIX = this.prefix;
  }

  override async teardown(): Promise<void> {
    try {
      if (this.database) {
        const { server, name } = this.database;
        await withAdmin(server, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      }
      if (this.prefix) await deleteKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', this.prefix);
    } finally {
      await super.teardown();
    }
  }
}

async function withAdmin<T>(server: string, fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
