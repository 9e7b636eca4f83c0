import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** A transaction handle: pass it to repository methods so their statements join the transaction. */
export type Tx = EntityManager;

export interface SqlResult<T> {
  rows: T[];
  rowCount: number;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

/**
 * The database, behind one injectable class. Repositories speak SQL through it; `tx` runs a READ COMMITTED
 * transaction and retries it on deadlock or serialization failure (every transition is a conditional update,
 * so a retry re-checks the state it expects).
 */
@Injectable()
export class Db {
  private readonly logger = new Logger(Db.name);

  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction('READ COMMITTED', fn);
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
  async run<T = Record<string, unknown>>(sql: string, params: unknown[] = [], tx?: Tx): Promise<SqlResult<T>> {
    let runner: QueryRunner | undefined = tx?.queryRunner;
    const own = !runner;
    if (!runner) runner = this.dataSource.createQueryRunner();
    try {
      const res = await runner.query(sql, params, true);
      return { rows: (res.records ?? []) as T[], rowCount: res.affected ?? res.records?.length ?? 0 };
    } finally {
      if (own) await runner.release();
    }
  }

  async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T[]> {
    return (await this.run<T>(sql, params, tx)).rows;
  }

  async one<T = Record<string, unknown>>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T | undefined> {
    return (await this.run<T>(sql, params, tx)).rows[0];
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
