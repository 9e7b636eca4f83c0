import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { AppConfig } from '@kapok/config';
import { redisOptions } from '@kapok/queue';
import { SessionRevokeReason } from './auth.types';

/** Sessions that just ended: these ids, or every session of this user. */
export interface SessionsEnded {
  sessionIds?: string[];
  userId?: string;
  reason: SessionRevokeReason;
}

/**
 * Tells every gateway process at once that sessions were revoked (Redis pub/sub), so their sockets close without
 * waiting for the periodic re-check. At most once by design: SessionWatch's re-check is the safety net.
 * Connections are opened on first use, so processes that neither revoke nor hold sockets open none.
 */
@Injectable()
export class SessionSignals implements OnApplicationShutdown {
  private readonly logger = new Logger(SessionSignals.name);
  private readonly channel: string;
  private pub?: Redis;
  private sub?: Redis;
  private readonly listeners: ((e: SessionsEnded) => void)[] = [];

  constructor(private readonly config: AppConfig) {
    this.channel = `${config.get('REDIS_PREFIX')}:sessions:ended`;
  }

  async publish(e: SessionsEnded): Promise<void> {
    this.pub ??= this.connect({ maxRetriesPerRequest: 1 });
    await this.pub.publish(this.channel, JSON.stringify(e)).catch((err: Error) => {
      this.logger.warn(`session signal not sent (the re-check will catch it): ${err.message}`);
    });
  }

  listen(fn: (e: SessionsEnded) => void): void {
    this.listeners.push(fn);
    if (this.sub) return;
    this.sub = this.connect({});
    this.sub.subscribe(this.channel).catch((err: Error) => this.logger.warn(`session signals: ${err.message}`));
    this.sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let e: SessionsEnded;
      try {
        e = JSON.parse(message) as SessionsEnded;
      } catch {
        return;
      }
      for (const l of this.listeners) l(e);
    });
  }

  onApplicationShutdown(): void {
    this.pub?.disconnect();
    this.sub?.disconnect();
  }

  private connect(extra: RedisOptions): Redis {
    const r = new Redis({ ...redisOptions(this.config.get('REDIS_URL')), lazyConnect: false, ...extra });
    r.on('error', () => undefined); // reconnects by itself; the re-check covers the gap
    return r;
  }
}
