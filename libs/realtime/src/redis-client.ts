import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '@kapok/config';
import { redisOptions } from '@kapok/queue';

/** The application's own Redis connection (socket.io emitter, health checks). BullMQ keeps its own. */
@Injectable()
export class RedisClient implements OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;

  constructor(config: AppConfig) {
    this.client = new Redis({ ...redisOptions(config.get('REDIS_URL')), lazyConnect: false });
    this.client.on('error', () => undefined); // reconnects by itself; health reports it
    this.prefix = config.get('REDIS_PREFIX');
  }

  /**
   * What the socket.io emitters publish through. Emits are at most once by design, so a publish that fails (Redis
   * unreachable, or the process shutting down with a job still finishing) is dropped instead of becoming an
   * unhandled rejection; everything emitted is also state the client can fetch.
   */
  readonly publisher = {
    publish: (channel: string, message: string | Buffer) => this.client.publish(channel, message).catch(() => 0),
  };

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}
