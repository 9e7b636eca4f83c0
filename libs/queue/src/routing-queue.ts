import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Clock, currentRequestId } from '@kapok/common';
import { Job, JobsOptions, Queue } from 'bullmq';
import {
  JobTrace,
  PeriodicJobName,
  ROUTING_JOB_PRIORITY,
  ROUTING_QUEUE,
  RoutingJobName,
  RoutingJobs,
  RoutingSchedule,
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

  constructor(
    @InjectQueue(ROUTING_QUEUE) readonly queue: Queue,
    private readonly clock: Clock,
  ) {
    // ioredis reconnects by itself; say so once in a while rather than on every attempt (Date.now: log pacing only).
    queue.on('error', (err) => {
      if (Date.now() - this.lastConnectionError < 10_000) return;
      this.lastConnectionError = Date.now();
      this.logger.error(`routing queue: ${err.message}`);
    });
  }

  /**
   * The one way a job enters the queue: the payload is the one its name takes (RoutingJobs), at its name's priority
   * (ROUTING_JOB_PRIORITY).
   */
  add<K extends RoutingJobName>(name: K, data: RoutingJobs[K], opts?: JobsOptions): Promise<Job> {
    const requestId = currentRequestId(); // the request that triggered it, for the router's log lines (JobTrace)
    const traced: RoutingJobs[K] & JobTrace = requestId ? { ...data, requestId } : data;
    return this.queue.add(name, traced, { priority: ROUTING_JOB_PRIORITY[name], ...opts });
  }

  async routeContact(contactId: string, thenOperatorId?: string): Promise<void> {
    await this.safely(`route contact ${contactId}`, () => this.add('route-contact', { contactId, thenOperatorId }));
  }

  async routeOperator(userId: string): Promise<void> {
    await this.safely(`route operator ${userId}`, () => this.add('route-operator', { userId }));
  }

  /** Routes the contact again at this moment (one job per contact and moment, however often it is asked). */
  async scheduleContactTimer(contactId: string, at: Date): Promise<void> {
    const t = new Date(at).getTime();
    await this.safely(`timer of ${contactId}`, () =>
      this.add(
        'route-contact',
        { contactId },
        {
          jobId: `timer-${contactId}-${t}`,
          delay: Math.max(0, t - this.clock.now().getTime()),
        },
      ),
    );
  }

  /** One delayed job per offer (its id derives from the offer's, so a retry does not double it). */
  async scheduleOfferExpiry(offerId: string, expiresAt: Date, again = false): Promise<void> {
    const delay = Math.max(0, expiresAt.getTime() - this.clock.now().getTime());
    await this.safely(`expiry ${offerId}`, () =>
      this.add(
        'expire-offer',
        { offerId },
        {
          jobId: again ? `expire-${offerId}-again-${Date.now()}` : `expire-${offerId}`, // (Date.now: a unique suffix)
          delay,
        },
      ),
    );
  }

  async scheduleFollowUp(followUpId: string, dueAt: Date): Promise<void> {
    const delay = Math.max(0, new Date(dueAt).getTime() - this.clock.now().getTime());
    await this.safely(`follow-up ${followUpId}`, () =>
      this.add('follow-up-due', { followUpId }, { jobId: `follow-up-${followUpId}`, delay }),
    );
  }

  async cancelOfferExpiry(offerId: string): Promise<void> {
    await this.safely(`cancel expiry ${offerId}`, () => this.queue.remove(`expire-${offerId}`));
  }

  /**
   * Creates the periodic job's scheduler, or updates its options (upsert: the next tick keeps its time, so upserting
   * again is harmless). Waits for Redis, unlike the triggers above.
   */
  async upsertSchedule({ name, repeat }: RoutingSchedule): Promise<void> {
    const data: RoutingJobs[PeriodicJobName] = {};
    await this.queue.upsertJobScheduler(name, repeat, { name, data, opts: { priority: ROUTING_JOB_PRIORITY[name] } });
  }

  /** The ids of the job schedulers that exist now (in Redis). */
  async scheduleIds(): Promise<Set<string>> {
    return new Set((await this.queue.getJobSchedulers()).map((s) => s.key));
  }

  /** Calls `listener` each time the queue's Redis connection is (again) ready, e.g. after Redis restarted. */
  onReady(listener: () => void): () => void {
    const backend = this.queue.getBackend();
    backend.on('ready', listener);
    return () => backend.removeListener('ready', listener);
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
