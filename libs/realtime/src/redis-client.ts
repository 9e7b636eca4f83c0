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

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}
