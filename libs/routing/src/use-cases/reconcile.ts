import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { AppConfig } from '@kapok/config';
import { FollowUpRepository, OfferRepository } from '@kapok/contacts';
import { Metrics } from '@kapok/metrics';
import { AgentStateRepository } from '@kapok/presence';
import { AgentSession } from './agent-session';
import { MatchingRepository } from '../matching.repository';
import { FollowUpDue } from './follow-up-due';
import { MakeOffers } from './make-offers';
import { ExpireOffer } from './expire-offer';

/** A gateway that has not sent a heartbeat for this long is taken for dead, and its sockets for closed. */
export const GATEWAY_STALE_SECONDS = 30;
/** An open offer this long past its expiry lost its expiry job. */
const OVERDUE_OFFER_SECONDS = 2;
/** Matchable waiting contacts matched per sweep, in routing order. */
const WAITING_SWEEP_LIMIT = 500;

/**
 * The safety net that runs every few seconds (one router at a time): whatever a crash, a lost job or a Redis
 * outage left behind is found again from Postgres, the truth.
 */
@Injectable()
export class Reconcile {
  private readonly logger = new Logger(Reconcile.name);

  constructor(
    private readonly offers: OfferRepository,
    private readonly agents: AgentStateRepository,
    private readonly expire: ExpireOffer,
    private readonly session: AgentSession,
    private readonly offers_: MakeOffers,
    private readonly matching: MatchingRepository,
    private readonly followUps: FollowUpRepository,
    private readonly followUpDue: FollowUpDue,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  async execute(): Promise<{ expired: number; deadSockets: number; graceExpired: number; dispatched: number }> {
    let expired = 0;
    for (const id of await this.offers.overdue(OVERDUE_OFFER_SECONDS)) if (await this.expire.execute(id)) expired++;

    const deadSockets = await this.agents.sessionsOfDeadGateways(GATEWAY_STALE_SECONDS);
    for (const socketId of deadSockets) await this.session.disconnected(socketId);

    const pastGrace = await this.agents.pastReconnectGrace(this.config.get('RECONNECT_GRACE_SECONDS'));
    for (const userId of pastGrace) await this.session.expireGrace(userId);

    const overdueFollowUps = await this.followUps.overdueScheduled();
    for (const id of overdueFollowUps) await this.followUpDue.execute(id);

    let dispatched = 0;
    // One statement finds the waiting contacts some operator on duty could take now (none with a queue beyond
    // capacity and nobody free); only those are matched, each under its locks. Matching them also covers every
    // operator with room (a pair is found from either side). When more are matchable than one sweep looks at,
    // operators with room are matched first, from their side: one whom the first in line may not take (another
    // pool, other skills) is not left idle beside a contact they may take.
    const matchable = await this.matching.matchableContacts(WAITING_SWEEP_LIMIT, this.clock.now());
    if (matchable.length >= WAITING_SWEEP_LIMIT) {
      for (const userId of await this.matching.operatorsWithRoom(this.clock.now())) {
        if (await this.offers_.forOperator(userId)) dispatched++;
      }
    }
    for (const id of matchable) if (await this.offers_.forContact(id)) dispatched++;
    // what a lost job, a dead process or a lost write left behind: counted, so that it is seen (docs/operations.md)
    this.metrics.reconciled({
      expired_offer: expired,
      dead_gateway_socket: deadSockets.length,
      dispatched,
      overdue_follow_up: overdueFollowUps.length,
    });
    if (expired || deadSockets.length || dispatched) {
      this.logger.warn(
        `reconciled: ${expired} overdue offers, ${deadSockets.length} sockets of dead gateways, ${dispatched} offers made by the sweep`,
      );
    }
    return { expired, deadSockets: deadSockets.length, graceExpired: pastGrace.length, dispatched };
  }
}
