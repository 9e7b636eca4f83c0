import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { AuthModule } from '../../libs/auth/src';
import { CommonModule } from '../../libs/common/src';
import { KapokConfigModule } from '../../libs/config/src';
import { DatabaseModule } from '../../libs/database/src';
import { OrgModule } from '../../libs/org/src';
import { QueueModule, ROUTING_QUEUE } from '../../libs/queue/src';
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
 */
export async function startDomain(env: Record<string, string> = {}): Promise<{
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
  return {
    ctx,
    close: async () => {
      await ctx.get<Queue>(getQueueToken(ROUTING_QUEUE)).obliterate({ force: true });
      await ctx.close();
    },
  };
}
