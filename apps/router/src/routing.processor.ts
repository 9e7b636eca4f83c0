import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
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

/** Routing jobs → use-cases. Jobs are triggers carrying ids; each use-case reloads and checks the state itself. */
@Processor(ROUTING_QUEUE)
export class RoutingProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RoutingProcessor.name);

  constructor(
    private readonly offers: MakeOffers,
    private readonly followUpDue: FollowUpDue,
    private readonly expire: ExpireOffer,
    private readonly reconcile: Reconcile,
    private readonly routing: RoutingQueue,
    private readonly config: AppConfig,
    private readonly coverage: CoverageWatch,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.get('ROUTER_CONCURRENCY');
    await this.routing.scheduleReconcile(this.config.get('RECONCILE_INTERVAL_SECONDS') * 1000);
    await this.routing.scheduleCoverageCheck(this.config.get('COVERAGE_CHECK_SECONDS') * 1000);
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case RoutingJob.RouteContact:
        return this.offers.forContact((job.data as RouteContactJob).contactId);
      case RoutingJob.RouteOperator:
        return this.offers.forOperator((job.data as RouteOperatorJob).userId);
      case RoutingJob.FollowUpDue:
        return this.followUpDue.execute((job.data as FollowUpDueJob).followUpId);
      case RoutingJob.ExpireOffer:
        return this.expire.execute((job.data as ExpireOfferJob).offerId);
      case RoutingJob.CoverageCheck:
        return this.coverage.check();
      case RoutingJob.Reconcile:
        return this.reconcile.execute();
      default:
        this.logger.warn(`unknown job ${job.name}`);
        return undefined;
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.error(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`);
  }
}
