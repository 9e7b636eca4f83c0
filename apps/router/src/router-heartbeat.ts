import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Metrics } from '@kapok/metrics';
import { ROUTER_ALIVE_MS, ROUTER_HEARTBEAT_MS, RouterHeartbeats } from '@kapok/realtime';
import { RoutingProcessor } from './routing.processor';

/**
 * This router, as the gateways' readiness sees it: a heartbeat in Redis every ROUTER_HEARTBEAT_MS while its worker
 * is consuming the routing queue (RouterHeartbeats), removed as soon as it shuts down, so readiness says at once
 * that nobody consumes. Its own liveness (/health on the metrics port) is "the worker runs and the last heartbeat
 * went through recently".
 */
@Injectable()
export class RouterHeartbeat implements OnApplicationBootstrap, OnModuleDestroy {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(RouterHeartbeat.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private beating = false;
  /** When the last heartbeat went through (this process's clock, ms; only compared with itself). */
  private lastBeat = 0;
  private lastError = 0;

  constructor(
    private readonly heartbeats: RouterHeartbeats,
    private readonly processor: RoutingProcessor,
    private readonly metrics: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), ROUTER_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Shutdown, first step (before the worker finishes its jobs): this router no longer counts as consuming. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.heartbeats.retire(this.id).catch(() => undefined);
  }

  /** Alive: the worker takes jobs and its heartbeat went through within ROUTER_ALIVE_MS. */
  get alive(): boolean {
    return !this.stopped && this.processor.consuming && Date.now() - this.lastBeat < ROUTER_ALIVE_MS;
  }

  private async beat(): Promise<void> {
    if (this.stopped || this.beating || !this.processor.consuming) return;
    this.beating = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      // With Redis unreachable the command waits in the client; the next beat is due long before it would answer.
      const at = await Promise.race([
        this.heartbeats.beat(this.id),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('Redis did not answer')), ROUTER_HEARTBEAT_MS);
        }),
      ]);
      if (this.stopped) {
        await this.heartbeats.retire(this.id); // a beat that crossed the shutdown is taken back
        return;
      }
      this.lastBeat = Date.now();
      this.metrics.routerHeartbeat(at / 1000);
    } catch (err) {
      if (Date.now() - this.lastError >= 30_000) {
        this.lastError = Date.now();
        this.logger.warn(`router heartbeat not written: ${(err as Error).message}`);
      }
    } finally {
      clearTimeout(timer);
      this.beating = false;
    }
  }
}
