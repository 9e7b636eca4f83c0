import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { AppConfig } from '@kapok/config';
import { redisOptions } from '@kapok/queue';

/**
 * socket.io over Redis pub/sub: a room emit (from this gateway, another gateway, or the router's emitter)
 * reaches the socket whichever gateway process holds it.
 */
export class RedisIoAdapter extends IoAdapter {
  private pub?: Redis;
  private sub?: Redis;

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const config = this.app.get(AppConfig);
    const opts = redisOptions(config.get('REDIS_URL'));
    this.pub = new Redis(opts);
    this.sub = this.pub.duplicate();
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    const server = super.createIOServer(port, { ...options, maxHttpBufferSize: 64 * 1024 } as ServerOptions);
    server.adapter(createAdapter(this.pub, this.sub, { key: `${config.get('REDIS_PREFIX')}:socket.io` }));
    return server;
  }

  override async close(server: unknown): Promise<void> {
    await super.close(server as never);
    this.pub?.disconnect();
    this.sub?.disconnect();
  }
}
