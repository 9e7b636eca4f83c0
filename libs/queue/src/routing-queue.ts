import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  ExpireOfferJob,
  FollowUpDueJob,
  ROUTING_QUEUE,
  RouteContactJob,
  RouteOperatorJob,
  RoutingJob,
} from './routing-jobs';

/**
 * The producer side of the routing queue (BullMQ). Triggers are best effort: the truth is in Postgres, and the
 * router's reconcile job finds anything a failed enqueue left behind, so a Redis outage never loses a contact.
 */
const ENQUEUE_TIMEOUT_MS = 1000;

@Injectable()
export class RoutingQueue {
  private readonly logger = new Logger(RoutingQueue.name);

  private lastConnectionError = 0;

  constructor(@InjectQueue(ROUTING_QUEUE) readonly queue: Queue) {
    // ioredis reconnects by itself; say so once in a while rather than on every attempt.
    queue.on('error', (err) => {
      if (Date.now() - this.lastConnectionError < 10_000) return;
      this.lastConnectionError = Date.now();
      this.logger.error(`routing queue: ${err.message}`);
    });
  }

  async routeContact(contactId: string, thenOperatorId?: string): Promise<void> {
    await this.safely(`route contact ${contactId}`, () =>
      this.queue.add(RoutingJob.RouteContact, { contactId, thenOperatorId } satisfies RouteContactJob),
    );
  }

  async routeOperator(userId: string): Promise<void> {
    await this.safely(`route operator ${userId}`, () =>
      this.queue.add(RoutingJob.RouteOperator, { userId } satisfies RouteOperatorJob),
    );
  }

  /** Routes the contact again at this moment (one job per contact and moment, however often it is asked). */
  async scheduleContactTimer(contactId: string, at: Date): Promise<void> {
    const t = new Date(at).getTime();
    await this.safely(`timer of ${contactId}`, () =>
      this.queue.add(RoutingJob.RouteContact, { contactId } satisfies RouteContactJob, {
        jobId: `timer-${contactId}-${t}`,
        delay: Math.max(0, t - Date.now()),
      }),
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

  async scheduleFollowUp(followUpId: string, dueAt: Date): Promise<void> {
    const delay = Math.max(0, new Date(dueAt).getTime() - Date.now());
    await this.safely(`follow-up ${followUpId}`, () =>
      this.queue.add(RoutingJob.FollowUpDue, { followUpId } satisfies FollowUpDueJob, {
        jobId: `follow-up-${followUpId}`,
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

  /** 03:00 Asia/Shanghai every night. */
  async scheduleStatsReconcile(): Promise<void> {
    await this.queue.upsertJobScheduler(
      'stats-reconcile',
      { pattern: '0 3 * * *', tz: 'Asia/Shanghai' },
      { name: RoutingJob.StatsReconcile },
    );
  }

  async scheduleCoverageCheck(everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler('coverage-check', { every: everyMs }, { name: RoutingJob.CoverageCheck });
  }

  /**
   * Never lets a trigger hold up the caller: with Redis unreachable the client would queue the command until it
   * is back, so the wait is capped (the command may still go through later; triggers are idempotent).
   */
  private async safely(what: string, fn: () => Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Redis did not answer in ${ENQUEUE_TIMEOUT_MS} ms`)),
            ENQUEUE_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (err) {
      this.logger.error(`could not enqueue ${what}: ${(err as Error).message}; the reconciler will pick it up`);
    } finally {
      clearTimeout(timer);
    }
  }
}
