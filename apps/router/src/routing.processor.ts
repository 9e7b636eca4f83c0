import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { performance } from 'node:perf_hooks';
import { withRequestId } from '@kapok/common';
import { AppConfig } from '@kapok/config';
import { CloseIdleConversations, PurgeExpiredTranscripts } from '@kapok/conversations';
import { Metrics } from '@kapok/metrics';
import { JobTrace, ROUTING_QUEUE, RoutingJobName, RoutingJobs, routingWorkerOptions } from '@kapok/queue';
import { FlagOverdueAid } from '@kapok/records';
import { ExpireOffer, FollowUpDue, MakeOffers, Reconcile } from '@kapok/routing';
import { CoverageWatch } from '@kapok/shifts';
import { FoldRollups, ReconcileRollups } from '@kapok/stats';

/** One handler per job name: the compiler refuses a map that misses a job of RoutingJobs. */
type RoutingHandlers = { [K in RoutingJobName]: (data: RoutingJobs[K], job: Job) => Promise<unknown> };

/**
 * Routing jobs → use-cases. Jobs are triggers carrying ids; each use-case reloads and checks the state itself.
 * The BullMQ worker is made here from the configuration (routingWorkerOptions: a short job lock and a frequent
 * stalled check, so the jobs of a router that died run again within seconds), once every module is ready.
 */
@Injectable()
export class RoutingProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RoutingProcessor.name);
  private worker?: Worker;
  private lastError = 0;

  private readonly handlers: RoutingHandlers = {
    'route-contact': async ({ contactId, thenOperatorId }) => {
      const made = await this.offers.forContact(contactId);
      if (thenOperatorId) await this.offers.forOperator(thenOperatorId);
      return made;
    },
    'route-operator': ({ userId }) => this.offers.forOperator(userId),
    'expire-offer': ({ offerId }) => this.expire.execute(offerId),
    'follow-up-due': ({ followUpId }) => this.followUpDue.execute(followUpId),
    reconcile: () => this.reconcile.execute(),
    'coverage-check': () => this.coverage.check(),
    'stats-reconcile': () => this.rollups.execute(),
    'stats-fold': () => this.fold.execute(),
    'flag-overdue-aid': () => this.overdueAid.execute(),
    'conversation-sweep': async () => ({ ...(await this.idle.execute()), purged: await this.purge.execute() }),
  };

  constructor(
    private readonly offers: MakeOffers,
    private readonly followUpDue: FollowUpDue,
    private readonly expire: ExpireOffer,
    private readonly reconcile: Reconcile,
    private readonly coverage: CoverageWatch,
    private readonly rollups: ReconcileRollups,
    private readonly fold: FoldRollups,
    private readonly overdueAid: FlagOverdueAid,
    private readonly idle: CloseIdleConversations,
    private readonly purge: PurgeExpiredTranscripts,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** Whether this router's worker is taking jobs (not yet made, closing or closed: not). */
  get consuming(): boolean {
    return !!this.worker && this.worker.isRunning() && !this.worker.isPaused() && !this.worker.closing;
  }

  onApplicationBootstrap(): void {
    const worker = new Worker(ROUTING_QUEUE, (job) => this.process(job), routingWorkerOptions(this.config));
    worker.on('failed', (job, err) => this.onFailed(job, err));
    // A router that died held these: they are queued again, ahead of everything (docs/routing.md, "Failures").
    worker.on('stalled', (jobId) => this.logger.warn(`job ${jobId} was held by a router that stopped: runs again`));
    // Redis unreachable (ioredis reconnects by itself), a lock that could not be renewed: said once in a while.
    worker.on('error', (err) => {
      if (Date.now() - this.lastError < 10_000) return;
      this.lastError = Date.now();
      this.logger.error(`routing worker: ${err.message}`);
    });
    this.worker = worker;
  }

  /**
   * Shutdown, first step: take no new job and let the running ones finish while the queue, Redis and Postgres are
   * still open (they close in onApplicationShutdown, after every module's onModuleDestroy). Closing the queue first
   * would make a job finishing late fail to enqueue its follow-up triggers.
   */
  async onModuleDestroy(): Promise<void> {
    if (!this.worker) return;
    const t0 = Date.now();
    this.logger.log('shutting down: taking no new job, finishing the running ones');
    await this.worker.close();
    this.logger.log(`routing worker closed in ${Date.now() - t0} ms`);
  }

  /** Runs the job with the request id that enqueued it (JobTrace), so its log lines carry it. */
  process(job: Job): Promise<unknown> {
    return withRequestId((job.data as JobTrace | undefined)?.requestId, () => this.run(job));
  }

  private async run(job: Job): Promise<unknown> {
    const name = job.name;
    // the lag from the moment the job was due to now, on first attempts (a retry waited for its backoff on purpose)
    const lag =
      job.attemptsMade === 0 ? ((job.processedOn ?? Date.now()) - job.timestamp - (job.delay ?? 0)) / 1000 : undefined;
    const label = this.knows(name) ? name : 'unknown'; // (a label never carries what a producer made up)
    const t0 = performance.now();
    try {
      if (!this.knows(name)) {
        // not retried: a job no router knows (a producer newer than this router, or a typo) fails at once, named
        throw new UnrecoverableError(`unknown routing job "${name}"`);
      }
      const result = await this.handle(name, job);
      const seconds = (performance.now() - t0) / 1000;
      this.metrics.jobFinished(label, seconds, 'completed', lag);
      // triggers once each (ids only), the periodic ticks only at debug level
      const line = `job ${name} ${job.id} done in ${Math.round(seconds * 1000)} ms`;
      if (Object.keys(job.data ?? {}).some((k) => k !== 'requestId')) this.logger.log(line);
      else this.logger.debug(line);
      return result;
    } catch (err) {
      this.metrics.jobFinished(label, (performance.now() - t0) / 1000, 'failed', lag);
      throw err;
    }
  }

  private knows(name: string): name is RoutingJobName {
    return Object.hasOwn(this.handlers, name);
  }

  private handle<K extends RoutingJobName>(name: K, job: Job<RoutingJobs[K]>): Promise<unknown> {
    return this.handlers[name](job.data, job);
  }

  private onFailed(job: Job | undefined, err: Error): void {
    this.logger.error(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`);
  }
}
