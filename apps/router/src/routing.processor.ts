import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job } from 'bullmq';
import { AppConfig } from '@kapok/config';
import {
  ExpireOfferJob,
  FollowUpDueJob,
  ROUTING_QUEUE,
  RouteContactJob,
  RouteOperatorJob,
  RoutingJob,
  RoutingQueue,
} from '@kapok/queue';
import { ExpireOffer, FollowUpDue, MakeOffers, Reconcile } from '@kapok/routing';
import { CoverageWatch } from '@kapok/shifts';
import { RollupRepository } from '@kapok/stats';

/** Routing jobs → use-cases. Jobs are triggers carrying ids; each use-case reloads and checks the state itself. */
@Processor(ROUTING_QUEUE)
export class RoutingProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RoutingProcessor.name);

  constructor(
    private readonly offers: MakeOffers,
    private readonly followUpDue: FollowUpDue,
    private readonly expire: ExpireOffer,
    private readonly reconcile: Reconcile,
    private readonly routing: RoutingQueue,
    private readonly config: AppConfig,
    private readonly coverage: CoverageWatch,
    private readonly rollups: RollupRepository,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.get('ROUTER_CONCURRENCY');
    await this.routing.scheduleReconcile(this.config.get('RECONCILE_INTERVAL_SECONDS') * 1000);
    await this.routing.scheduleCoverageCheck(this.config.get('COVERAGE_CHECK_SECONDS') * 1000);
    await this.routing.scheduleStatsReconcile();
  }

  /**
   * Shutdown, first step: take no new job and let the running ones finish while the queue, Redis and Postgres are
   * still open (they close in onApplicationShutdown, after every module's onModuleDestroy). Closing the queue first
   * would make a job finishing late fail to enqueue its follow-up triggers.
   */
  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case RoutingJob.RouteContact: {
        const { contactId, thenOperatorId } = job.data as RouteContactJob;
        const made = await this.offers.forContact(contactId);
        if (thenOperatorId) await this.offers.forOperator(thenOperatorId);
        return made;
      }
      case RoutingJob.RouteOperator:
        return this.offers.forOperator((job.data as RouteOperatorJob).userId);
      case RoutingJob.FollowUpDue:
        return this.followUpDue.execute((job.data as FollowUpDueJob).followUpId);
      case RoutingJob.ExpireOffer:
        return this.expire.execute((job.data as ExpireOfferJob).offerId);
      case RoutingJob.StatsReconcile:
        return this.reconcileStats();
      case RoutingJob.CoverageCheck:
        return this.coverage.check();
      case RoutingJob.Reconcile:
        return this.reconcile.execute();
      default:
        this.logger.warn(`unknown job ${job.name}`);
        return undefined;
    }
  }

  /** Last month and this one, rollups against the raw records; a difference is logged as an error for on-call. */
  private async reconcileStats(): Promise<boolean> {
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10); // Asia/Shanghai (UTC+8, no DST)
    const [y, m] = today.split('-').map(Number);
    const from = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 10);
    const report = await this.rollups.reconcile({ from, to: today });
    if (!report.ok) this.logger.error(`statistics rollups differ from the raw records: ${JSON.stringify(report)}`);
    else this.logger.log(`statistics rollups reconciled ${from} … ${today}`);
    return report.ok;
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.error(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`);
  }
}
