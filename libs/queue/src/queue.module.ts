import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@kapok/config';
import { ROUTING_QUEUE } from './routing-jobs';
import { RoutingQueue } from './routing-queue';
import { bullConnection } from './routing-worker';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...bullConnection(config),
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
