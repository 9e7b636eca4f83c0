import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DispatchJob, ExpireOfferJob, ROUTING_QUEUE, RoutingJob } from './routing-jobs';

/**
 * The producer side of the routing queue (BullMQ). Triggers are best effort: the truth is in Postgres, and the
 * router's reconcile job finds anything a failed enqueue left behind, so a Redis outage never loses a contact.
 */
@Injectable()
export class RoutingQueue {
  private readonly logger = new Logger(RoutingQueue.name);

  constructor(@InjectQueue(ROUTING_QUEUE) readonly queue: Queue) {}

  async requestDispatch(stationId: string): Promise<void> {
    await this.safely(`dispatch ${stationId}`, () =>
      this.queue.add(RoutingJob.Dispatch, { stationId } satisfies DispatchJob),
    );
  }

  /** One delayed job per offer (its id derives from the offer's, so a retry does not double it). */
  async scheduleOfferExpiry(offerId: string, expiresAt: Date, again = false): Promise<void> {
    const delay = Math.max(0, expiresAt.getTime() - Date.now());
    await this.safely(`expiry ${offerId}`, () =>
      this.queue.add(RoutingJob.ExpireOffer, { offerId } satisfies ExpireOfferJob, {
        jobId: again ? `expire-${offerId}-again-${Date.now()}` : `expire-${offerId}`,
        delay,
      }),
    );
  }

  async cancelOfferExpiry(offerId: string): Promise<void> {
    await this.safely(`cancel expiry ${offerId}`, () => this.queue.remove(`expire-${offerId}`));
  }

  async scheduleReconcile(everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler('reconcile', { every: everyMs }, { name: RoutingJob.Reconcile });
  }

  private async safely(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.error(`could not enqueue ${what}: ${(err as Error).message}; the reconciler will pick it up`);
    }
  }
}
