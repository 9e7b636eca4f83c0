import { Injectable, Logger } from '@nestjs/common';
import { FollowUpRepository, OfferRepository } from '@kapok/contacts';
import { RoutingQueue } from '@kapok/queue';

/**
 * Redis lost its data (restarted empty): the delayed jobs that Postgres implies are added again, so each fires at its
 * own moment rather than when the reconcile sweep next finds it overdue — every open offer's expiry and every
 * scheduled follow-up. Job ids derive from the row's id (`expire-<offer>`, `follow-up-<id>`): adding one that is
 * still in Redis does nothing, and a job that runs for a row already moved on finds nothing to do. Waiting contacts'
 * timers (overflow, skill relaxation, continuity) are set again by the sweep's matching.
 */
@Injectable()
export class RestoreTimers {
  private readonly logger = new Logger(RestoreTimers.name);

  constructor(
    private readonly offers: OfferRepository,
    private readonly followUps: FollowUpRepository,
    private readonly routing: RoutingQueue,
  ) {}

  async execute(): Promise<{ offers: number; followUps: number }> {
    const offers = await this.offers.openWithExpiry();
    for (const o of offers) await this.routing.scheduleOfferExpiry(o.id, o.expires_at);
    const followUps = await this.followUps.pendingScheduled();
    for (const f of followUps) await this.routing.scheduleFollowUp(f.id, f.due_at);
    if (offers.length || followUps.length)
      this.logger.warn(
        `timers restored from Postgres: ${offers.length} offer expiries, ${followUps.length} follow-ups`,
      );
    return { offers: offers.length, followUps: followUps.length };
  }
}
