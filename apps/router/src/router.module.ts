import { Module } from '@nestjs/common';
import { CommonModule } from '@kapok/common';
import { KapokConfigModule } from '@kapok/config';
import { DatabaseModule } from '@kapok/database';
import { QueueModule } from '@kapok/queue';
import { RealtimeModule } from '@kapok/realtime';
import { RoutingModule } from '@kapok/routing';
import { ShiftsModule } from '@kapok/shifts';
import { StatsModule } from '@kapok/stats';
import { RoutingProcessor } from './routing.processor';

/** The router process: BullMQ workers that make, expire and reconcile offers. Holds no sockets. */
@Module({
  imports: [
    KapokConfigModule,
    CommonModule,
    DatabaseModule,
    QueueModule,
    RealtimeModule,
    RoutingModule,
    ShiftsModule,
    StatsModule,
  ],
  providers: [RoutingProcessor],
})
export class RouterModule {}
