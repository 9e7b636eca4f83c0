import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { AppConfig } from '@kapok/config';
import { ROUTING_QUEUE } from './routing-jobs';
import { RoutingQueue } from './routing-queue';
import { redisOptions } from './redis-options';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: redisOptions(config.get('REDIS_URL')) as ConnectionOptions,
        prefix: `${config.get('REDIS_PREFIX')}:bull`,
        defaultJobOptions: {
          removeOnComplete: true,
          removeOnFail: { count: 5000 },
          attempts: 5,
          backoff: { type: 'exponential', delay: 200 },
        },
      }),
    }),
    BullModule.registerQueue({ name: ROUTING_QUEUE }),
  ],
  providers: [RoutingQueue],
  exports: [RoutingQueue, BullModule],
})
export class QueueModule {}
