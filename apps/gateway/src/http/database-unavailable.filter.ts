import { ArgumentsHost, Catch, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { isDatabaseUnavailable } from '@kapok/database';

/** Seconds a client is told to wait before trying again while the database is unreachable (a restart takes ~1 s). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Every HTTP error passes through Nest's own handling, except "the database is unreachable": that is 503 with
 * Retry-After, never 500, so a telephony gateway knows the intake can be sent again (it is idempotent by its
 * externalId) and the console can say so. Db has already retried getting a connection for about two seconds.
 */
@Catch()
export class DatabaseUnavailableFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('Database');
  private lastLogged = 0;

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http' || !isDatabaseUnavailable(exception)) return super.catch(exception, host);
    const now = Date.now(); // only to space out the log lines, not a domain time
    if (now - this.lastLogged > 5000) {
      this.lastLogged = now;
      this.logger.error(`database unreachable, answering 503: ${(exception as Error).message}`);
    }
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    res
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS))
      .json({
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        message: `数据库暂时不可用，请 ${DATABASE_RETRY_AFTER_SECONDS} 秒后重试 (database temporarily unavailable; retry after ${DATABASE_RETRY_AFTER_SECONDS} s)`,
        error: 'Service Unavailable',
      });
  }
}
