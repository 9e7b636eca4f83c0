import { Module } from '@nestjs/common';
import { CommonModule } from '@kapok/common';
import { KapokConfigModule } from '@kapok/config';
import { ConversationsModule } from '@kapok/conversations';
import { DatabaseModule } from '@kapok/database';
import { MetricsModule } from '@kapok/metrics';
import { QueueModule } from '@kapok/queue';
import { RealtimeModule } from '@kapok/realtime';
import { RecordsModule } from '@kapok/records';
import { RoutingModule } from '@kapok/routing';
import { ShiftsModule } from '@kapok/shifts';
import { StatsModule } from '@kapok/stats';
import { RouterHeartbeat } from './router-heartbeat';
import { RouterMetricsServer } from './router-metrics-server';
import { RouterSchedules } from './router-schedules';
import { RoutingProcessor } from './routing.processor';

/**
 * The router process: BullMQ workers that make, expire and reconcile offers and run the periodic jobs (their job
 * schedulers are kept in Redis by RouterSchedules). Holds no sockets. RecordsModule: the overdue material-aid sweep;
 * ConversationsModule: the conversation sweep, and a chat's first message and a transfer's note in offers.
 */
@Module({
  imports: [
    KapokConfigModule,
    CommonModule,
    DatabaseModule,
    QueueModule,
    RealtimeModule,
    RoutingModule,
    RecordsModule,
    ShiftsModule,
    StatsModule,
    MetricsModule,
    ConversationsModule,
  ],
  // (RouterHeartbeat after RoutingProcessor: its first beat needs the worker running)
  providers: [RoutingProcessor, RouterSchedules, RouterHeartbeat, RouterMetricsServer],
})
export class RouterModule {}
