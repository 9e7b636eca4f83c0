import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isDatabaseUnavailable } from './db-errors';

/** A transaction handle: pass it to repository methods so their statements join the transaction. */
export type Tx = EntityManager;

export interface SqlResult<T> {
  rows: T[];
  rowCount: number;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

/**
 * Gives a connection back to the pool, or, when it failed because the database went away, has the pool discard it
 * (pg-pool destroys a client released with an error) so that the next caller does not get a dead one.
 */
async function release(runner: QueryRunner, failure?: unknown): Promise<void> {
  const pg = runner as QueryRunner & { releasePostgresConnection?: (err?: Error) => Promise<void> };
  if (isDatabaseUnavailable(failure) && pg.releasePostgresConnection)
    await pg.releasePostgresConnection(failure as Error);
  else await runner.release();
}

/**
 * Waits before trying to connect again while the database is unreachable (a restart takes about a second): ~2 s in
 * all, then the caller gets the error (a gateway answers 503 with Retry-After).
 */
const CONNECT_BACKOFF_MS = [100, 200, 400, 600, 800];

/**
 * The database, behind one injectable class. Repositories speak SQL through it; `tx` runs a READ COMMITTED
 * transaction and retries it on deadlock or serialization failure (every transition is a conditional update,
 * so a retry re-checks the state it expects). Getting a connection (and, for `tx`, BEGIN) is retried for about two
 * seconds while the database is unreachable: nothing has been sent at that point, so a retry can never write twice.
 * A connection lost in the middle of a statement is not retried here (whether it was written is unknown).
 */
@Injectable()
export class Db {
  private readonly logger = new Logger(Db.name);
  private lastWarned = 0;

  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transaction(fn);
      } catch (err) {
        const code =
          (err as { driverError?: { code?: string }; code?: string }).driverError?.code ??
          (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 4) {
          this.logger.warn(`transaction retry ${attempt} after ${code}`);
          continue;
        }
        throw err;
      }
    }
  }

  /** Runs one statement; inside `tx` when given. Returns rows and the affected row count. */
  async run<T = Record<string, unknown>>(
    sql: string | { name: string; text: string },
    params: unknown[] = [],
    tx?: Tx,
  ): Promise<SqlResult<T>> {
    let runner: QueryRunner | undefined = tx?.queryRunner;
    const own = !runner;
    if (!runner) runner = await this.connected(async (r) => r);
    let failure: unknown;
    try {
      // (a { name, text } query goes through TypeORM to pg unchanged: pg prepares it once per connection)
      const res = await runner.query(sql as string, params, true);
      return { rows: (res.records ?? []) as T[], rowCount: res.affected ?? res.records?.length ?? 0 };
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      if (own) await release(runner, failure);
    }
  }

  /**
   * Runs one statement as a named prepared statement: each connection plans it once and keeps the plan (Postgres
   * chooses a generic plan after five executions when it is as good), where an unnamed statement is planned at every
   * execution. For the few large statements run for every contact (matching), whose planning costs more than their
   * execution. The text of a name must never change within a process, and it should not depend on `$n IS NULL`
   * tests (a generic plan cannot fold them). (Not through PgBouncer in transaction mode, which does not keep them.)
   */
  async prepared<T = Record<string, unknown>>(name: string, sql: string, params: unknown[], tx?: Tx): Promise<T[]> {
    return (await this.run<T>({ name, text: sql }, params, tx)).rows;
  }

  async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T[]> {
    return (await this.run<T>(sql, params, tx)).rows;
  }

  async one<T = Record<string, unknown>>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T | undefined> {
    return (await this.run<T>(sql, params, tx)).rows[0];
  }

  /** One READ COMMITTED transaction on a connection of its own (what DataSource.transaction does, with `connected`). */
  private async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const runner = await this.connected(async (r) => {
      await r.startTransaction('READ COMMITTED');
      return r;
    });
    let failure: unknown;
    try {
      const result = await fn(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (err) {
      failure = err;
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await release(runner, failure);
    }
  }

  /**
   * A query runner holding a pool connection on which `begin` (connecting, BEGIN) succeeded; while the database is
   * unreachable it tries again with a fresh connection (CONNECT_BACKOFF_MS), then gives up with the last error.
   */
  private async connected(begin: (runner: QueryRunner) => Promise<QueryRunner>): Promise<QueryRunner> {
    for (let attempt = 0; ; attempt++) {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.connect();
        return await begin(runner);
      } catch (err) {
        await release(runner, err).catch(() => undefined);
        if (!isDatabaseUnavailable(err) || attempt >= CONNECT_BACKOFF_MS.length) throw err;
        // once in a while, not once per request of an outage (Date.now only spaces the log lines)
        if (attempt === 0 && Date.now() - this.lastWarned > 5000) {
          this.lastWarned = Date.now();
          this.logger.warn(`database unreachable (${(err as Error).message}); trying again`);
        }
        await new Promise((r) => setTimeout(r, CONNECT_BACKOFF_MS[attempt]));
      }
    }
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /** The pg pool's connections and the queries waiting for one (metrics); undefined before it is open. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    const pool = (
      this.dataSource.driver as { master?: { totalCount: number; idleCount: number; waitingCount: number } }
    ).master;
    return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined;
  }
}
