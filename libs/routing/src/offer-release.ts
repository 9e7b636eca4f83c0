import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Channel, ContactRepository, OfferRepository, OfferRow } from '@kapok/contacts';
import { Tx } from '@kapok/database';
import { Metrics, OfferEnd } from '@kapok/metrics';
import { OrgRepository } from '@kapok/org';
import { AgentStateRepository } from '@kapok/presence';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier, MonitorNotifier, OfferRevokedEvent } from '@kapok/realtime';
import { MatchingRepository } from './matching.repository';
import { RoutingRules } from './routing-rules';
import { StationSettingsRepository } from './station-settings.repository';

export interface Released {
  stationId: string;
  channel: Channel;
  /** Set when this timeout made the operator away: how many offers they missed in a row. */
  setAway?: number;
  /** Set when the offer reached nobody: how many offers of the contact in a row did (this one included). */
  undeliveredInRow?: number;
}

export type ReleaseKind =
  | { status: 'declined'; reason: 'declined' }
  | { status: 'expired'; reason: 'timeout' }
  | { status: 'revoked'; reason: 'disconnected' | 'away' | 'undelivered' };

/** How each release is counted in the metrics. */
const OFFER_END: Record<ReleaseKind['reason'], OfferEnd> = {
  declined: 'declined',
  timeout: 'expired',
  undelivered: 'undelivered',
  disconnected: 'disconnected',
  away: 'away',
};

/**
 * The pause before a contact whose offer reached nobody is routed again: doubled for each such offer in a row, up to
 * the maximum. Redis delivering nothing (no gateway subscribed yet) is over within a second or two of its return; a
 * gateway that subscribes again also routes its available operators at once (AgentSession.resync), so the pause
 * only keeps a contact from being offered into the void in a tight loop meanwhile.
 */
export const UNDELIVERED_RETRY_MS = 1000;
export const UNDELIVERED_RETRY_MAX_MS = 8000;

/**
 * Letting go of an open offer (declined, timed out, or revoked): the contact goes back in line in its original
 * place, the operator goes to the back of the idle line, and both are routed again at once. An offer that reached
 * nobody (`undelivered`) is not the operator's doing: it counts neither as a miss nor as a decline, leaves the
 * operator's place in the idle line as it was, and its contact is routed again after a short pause.
 */
@Injectable()
export class OfferRelease {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly offers: OfferRepository,
    private readonly agents: AgentStateRepository,
    private readonly routing: RoutingQueue,
    private readonly notifier: AgentNotifier,
    private readonly monitor: MonitorNotifier,
    private readonly org: OrgRepository,
    private readonly settings: StationSettingsRepository,
    private readonly rules: RoutingRules,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly matching: MatchingRepository,
  ) {}

  /**
   * In the caller's transaction. Returns what happened, or undefined if the offer was no longer open. A timeout
   * counts towards the no-answer rule: after MISSED_OFFERS_TO_AWAY in a row the operator is set away.
   */
  async release(tx: Tx, offer: OfferRow, kind: ReleaseKind): Promise<Released | undefined> {
    const contact = await this.contacts.lock(offer.contact_id, tx);
    if (!contact || !(await this.offers.close(tx, offer.id, kind.status, kind.reason))) return undefined;
    await this.contacts.transition(tx, contact.id, 'release', { expectWorker: offer.worker_id });
    if (kind.reason === 'undelivered') {
      return {
        stationId: contact.station_id,
        channel: contact.channel,
        undeliveredInRow: await this.offers.undeliveredInRow(contact.id, tx),
      };
    }
    await this.agents.markIdle(offer.worker_id, tx);
    let setAway: number | undefined;
    if (kind.reason === 'timeout') {
      const missed = await this.agents.countMissedOffer(offer.worker_id, tx);
      const limit = await this.settings.missedOffersToAway(
        contact.station_id,
        this.rules.defaults.missedOffersToAway,
        tx,
      );
      if (missed >= limit) {
        await this.agents.setPresence(offer.worker_id, 'away', tx);
        setAway = missed;
      }
    } else if (kind.reason === 'declined') {
      await this.agents.countDecline(offer.worker_id, tx);
    }
    return { stationId: contact.station_id, channel: contact.channel, setAway };
  }

  /** After the transaction committed: tell the operator (and coordinators) and route both sides again. */
  async afterRelease(offer: OfferRow, kind: ReleaseKind, released: Released): Promise<void> {
    this.metrics.offerEnded(released.channel, OFFER_END[kind.reason]);
    if (kind.reason !== 'declined') {
      // (also for an offer that reached nobody: had it gone out late after all, this follows it on the same
      // connection, so the operator's console drops it)
      const e: OfferRevokedEvent = { offerId: offer.id, contactId: offer.contact_id, reason: kind.reason };
      // a missed offer: say truthfully where the contact goes now (the console tells the operator)
      if (kind.reason === 'timeout') e.next = await this.matching.afterLetGo(offer.contact_id, offer.worker_id);
      this.notifier.revoked(offer.worker_id, e);
    }
    if (kind.reason === 'undelivered') {
      // Its expiry was never scheduled. The contact is routed again after a pause, not at once: Redis that delivered
      // nothing a moment ago most likely still does not, and the one operator who may take it is likely the same.
      const n = Math.max(1, released.undeliveredInRow ?? 1);
      const pause = Math.min(UNDELIVERED_RETRY_MS * 2 ** (n - 1), UNDELIVERED_RETRY_MAX_MS);
      await this.routing.scheduleContactTimer(offer.contact_id, new Date(this.clock.now().getTime() + pause));
      return;
    }
    if (kind.reason !== 'timeout') await this.routing.cancelOfferExpiry(offer.id);
    if (released.setAway !== undefined) {
      this.notifier.presenceChanged(offer.worker_id, {
        presence: 'away',
        reason: 'missed_offers',
        missedInRow: released.setAway,
      });
      const lineage = await this.org.lineage(released.stationId);
      this.monitor.toUnits(lineage, 'agent:auto-away', {
        userId: offer.worker_id,
        stationId: released.stationId,
        missedInRow: released.setAway,
        at: this.clock.now().toISOString(),
      });
    }
    // Nobody else may take it: it comes back to this operator, after the let-go pause (docs/routing.md), at this
    // moment. (Taken by someone meanwhile, the timer finds nothing to do.)
    if (kind.reason === 'declined' || kind.reason === 'timeout') {
      const pause = this.rules.defaults.letGoPauseSeconds * 1000;
      if (pause > 0)
        await this.routing.scheduleContactTimer(offer.contact_id, new Date(this.clock.now().getTime() + pause));
    }
    // One job, in order: the contact first finds its next operator (or comes back to this one if nobody else can
    // take it after the pause), then the operator who let it go is offered other work.
    await this.routing.routeContact(offer.contact_id, released.setAway === undefined ? offer.worker_id : undefined);
    if (released.setAway !== undefined) {
      for (const id of await this.contacts.waitingAt(released.stationId)) await this.routing.routeContact(id);
    }
  }
}
