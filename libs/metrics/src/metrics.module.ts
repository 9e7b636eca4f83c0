import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { Db } from '@kapok/database';
import { Metrics } from './metrics';

/** This process's Postgres pool in the metrics (every process that loads the metrics has the database). */
@Injectable()
export class PoolGauges implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly db: Db,
  ) {}

  onModuleInit(): void {
    this.metrics.observePool(() => this.db.poolStats());
  }
}

/**
 * The process's metrics. Imported by each library whose use-cases count something (contacts, routing) and by the
 * apps that serve them; a Nest module is one instance per application, so all of them share one Metrics.
 */
@Module({
  providers: [Metrics, PoolGauges],
  exports: [Metrics],
})
export class MetricsModule {}
