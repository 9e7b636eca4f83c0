import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Metrics } from '@kapok/metrics';
import { RoutingQueue } from '@kapok/queue';
import { RouterHeartbeats } from '@kapok/realtime';
import { MatchingRepository } from '@kapok/routing';

/**
 * The gauges of the whole system in the gateway's metrics (contacts waiting, the oldest wait, contacts nobody on
 * duty can take, operators by state, the routing queue by state, routers alive), read from Postgres and Redis when
 * Prometheus scrapes (cached for a second: Metrics.observeLive), never written by the processes. Every gateway
 * reports the same values; routers report none of them.
 */
@Injectable()
export class LiveGauges implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly matching: MatchingRepository,
    private readonly routing: RoutingQueue,
    private readonly heartbeats: RouterHeartbeats,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.metrics.observeLive({
      waiting: () => this.matching.waitingNow(this.clock.now()),
      operators: () => this.matching.operatorsByState(),
      queue: async () => {
        const queue = this.routing.queue;
        const [c, paused] = await Promise.all([
          queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed'),
          queue.isPaused(),
        ]);
        // BullMQ keeps jobs with a priority apart from the others; both are ready to run
        return {
          waiting: (c.wait ?? 0) + (c.prioritized ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
          paused: paused ? 1 : 0,
        };
      },
      routersAlive: () => this.heartbeats.alive(),
    });
  }
}
