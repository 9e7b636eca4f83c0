import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { AuthModule } from '../../libs/auth/src';
import { CommonModule } from '../../libs/common/src';
import { KapokConfigModule } from '../../libs/config/src';
import { DatabaseModule } from '../../libs/database/src';
import { OrgModule } from '../../libs/org/src';
import { QueueModule, ROUTING_QUEUE, redisOptions } from '../../libs/queue/src';
import { RealtimeModule } from '../../libs/realtime/src';
import { RecordsModule } from '../../libs/records/src';
import { RoutingModule } from '../../libs/routing/src';
import { redisPrefix } from './fixtures';

@Module({
  imports: [
    KapokConfigModule,
    CommonModule,
    DatabaseModule,
    QueueModule,
    RealtimeModule,
    AuthModule,
    OrgModule,
    RoutingModule,
    RecordsModule,
  ],
})
class DomainModule {}

/**
 * The domain libraries with real Postgres and Redis but no worker and no HTTP: use-cases are called directly.
 * Jobs they enqueue stay in this context's own queue (own Redis prefix), which is removed on close.
 * A gateway is listening (a Redis subscriber on this prefix's socket.io channels, as a gateway's adapter has), so
 * an offer reaches "a gateway" as it does in production; `{ gateway: false }` leaves nobody listening (an offer
 * then reaches nobody and is withdrawn), and so does a Redis that cannot be reached.
 */
export async function startDomain(
  env: Record<string, string> = {},
  opts: { gateway?: boolean } = {},
): Promise<{
  ctx: INestApplicationContext;
  close(): Promise<void>;
}> {
  Object.assign(process.env, {
    NODE_ENV: 'test',
    REDIS_PREFIX: redisPrefix(),
    OFFER_TIMEOUT_SECONDS: '20',
    ...env,
  });
  const ctx = await NestFactory.createApplicationContext(DomainModule, { logger: ['error'] });
  const gateway = opts.gateway === false ? undefined : await listenAsGateway();
  return {
    ctx,
    close: async () => {
      gateway?.disconnect();
      await ctx.get<Queue>(getQueueToken(ROUTING_QUEUE)).obliterate({ force: true });
      await ctx.close();
    },
  };
}

/** A subscriber to every socket.io channel of this prefix, as each gateway's adapter is; none if Redis is down. */
export async function listenAsGateway(): Promise<Redis | undefined> {
  const sub = new Redis({ ...redisOptions(process.env.REDIS_URL!), lazyConnect: true, retryStrategy: () => null });
  sub.on('error', () => undefined);
  try {
    await sub.connect();
    await sub.psubscribe(`${process.env.REDIS_PREFIX}:socket.io#*`);
    return sub;
  } catch {
    sub.disconnect();
    return undefined;
  }
}
