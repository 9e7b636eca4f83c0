import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@kapok/config';
import { RoutingQueue, RoutingSchedule } from '@kapok/queue';
import { RestoreTimers } from '@kapok/routing';

/** How often the statistics changes are folded into the rollups (reads fold first: this only keeps them cheap). */
export const STATS_FOLD_MS = 2_000;

/** How often each router checks that the job schedulers are still in Redis. */
export const SCHEDULE_WATCH_MS = 3_000;

/**
 * The router's periodic work, as BullMQ job schedulers (one job per tick however many routers run), and the watch
 * that keeps them there: Redis restarted empty (or anything deleting them) would otherwise stop the reconcile sweep
 * and the other periodic jobs for good. Every few seconds, and each time the queue's Redis connection is ready
 * again, the router recreates any scheduler that is missing; the first tick of a recreated scheduler runs at once,
 * so the reconcile sweep then finds from Postgres whatever the lost jobs would have done (expired offers, waiting
 * contacts, due follow-ups). Missing schedulers mean Redis lost its delayed jobs too: the open offers' expiries and
 * the scheduled follow-ups are added again from Postgres (RestoreTimers), so each fires at its own moment instead of
 * up to a sweep interval late. Ids and options are the same in every router, so several routers never double them.
 */
@Injectable()
export class RouterSchedules implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RouterSchedules.name);
  private timer?: NodeJS.Timeout;
  private stopReadyWatch?: () => void;
  private checking?: Promise<string[]>;
  private stopped = false;
  private lastError = 0;

  constructor(
    private readonly routing: RoutingQueue,
    private readonly config: AppConfig,
    private readonly timers: RestoreTimers,
  ) {}

  /** Every periodic job with its schedule (from the configuration). */
  get schedules(): RoutingSchedule[] {
    return [
      { name: 'reconcile', repeat: { every: this.config.get('RECONCILE_INTERVAL_SECONDS') * 1000 } },
      { name: 'coverage-check', repeat: { every: this.config.get('COVERAGE_CHECK_SECONDS') * 1000 } },
      { name: 'stats-reconcile', repeat: { pattern: '0 3 * * *', tz: 'Asia/Shanghai' } }, // 03:00 every night
      { name: 'stats-fold', repeat: { every: STATS_FOLD_MS } },
      { name: 'flag-overdue-aid', repeat: { every: 60_000 } },
      { name: 'conversation-sweep', repeat: { every: this.config.get('CONVERSATION_SWEEP_SECONDS') * 1000 } },
    ];
  }

  /** Upserts every scheduler (a changed interval takes effect), then watches that they stay. */
  async onApplicationBootstrap(): Promise<void> {
    const present = await this.routing.scheduleIds();
    for (const s of this.schedules) await this.routing.upsertSchedule(s);
    // a Redis without our schedulers (new, or emptied while no router ran) has none of the delayed jobs either
    if (this.schedules.some((s) => !present.has(s.name))) await this.timers.execute();
    this.timer = setInterval(() => void this.restoreMissing(), SCHEDULE_WATCH_MS);
    this.timer.unref();
    this.stopReadyWatch = this.routing.onReady(() => void this.restoreMissing());
  }

  onModuleDestroy(): void {
    this.stop();
  }

  /** Stops watching (shutdown; a test that removes a scheduler on purpose). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.stopReadyWatch?.();
  }

  /**
   * Recreates the schedulers that are not in Redis; returns their names. One check at a time: with Redis down the
   * commands wait in the client until it is back, and the checks asked meanwhile join the one waiting.
   */
  restoreMissing(): Promise<string[]> {
    return (this.checking ??= this.check().finally(() => (this.checking = undefined)));
  }

  private async check(): Promise<string[]> {
    try {
      const present = await this.routing.scheduleIds();
      const missing = this.schedules.filter((s) => !present.has(s.name));
      if (this.stopped) return [];
      for (const s of missing) await this.routing.upsertSchedule(s);
      const names = missing.map((s) => s.name);
      if (names.length) {
        this.logger.warn(`job schedulers missing from Redis (did it lose its data?), recreated: ${names.join(', ')}`);
        await this.timers.execute();
      }
      return names;
    } catch (err) {
      // Redis unreachable or the queue closing: the next check tries again. Said once in a while, not every time.
      if (!this.stopped && Date.now() - this.lastError >= 30_000) {
        this.lastError = Date.now();
        this.logger.warn(`could not check the job schedulers: ${(err as Error).message}`);
      }
      return [];
    }
  }
}
