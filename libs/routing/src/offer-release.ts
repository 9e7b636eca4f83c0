import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { ContactRepository, OfferRepository, OfferRow } from '@kapok/contacts';
import { Tx } from '@kapok/database';
import { OrgRepository } from '@kapok/org';
import { AgentStateRepository } from '@kapok/presence';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier, MonitorNotifier, OfferRevokedEvent } from '@kapok/realtime';
import { RoutingRules } from './routing-rules';
import { StationSettingsRepository } from './station-settings.repository';

export interface Released {
  stationId: string;
  /** Set when this timeout made the operator away: how many offers they missed in a row. */
  setAway?: number;
}

export type ReleaseKind =
  | { status: 'declined'; reason: 'declined' }
  | { status: 'expired'; reason: 'timeout' }
  | { status: 'revoked'; reason: 'disconnected' | 'away' };

/**
 * Letting go of an open offer (declined, timed out, or revoked): the contact goes back in line in its original
 * place, the operator goes to the back of the idle line, and both are routed again at once.
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
  ) {}

  /**
   * In the caller's transaction. Returns what happened, or undefined if the offer was no longer open. A timeout
   * counts towards the no-answer rule: after MISSED_OFFERS_TO_AWAY in a row the operator is set away.
   */
  async release(tx: Tx, offer: OfferRow, kind: ReleaseKind): Promise<Released | undefined> {
    const contact = await this.contacts.lock(offer.contact_id, tx);
    if (!contact || !(await this.offers.close(tx, offer.id, kind.status, kind.reason))) return undefined;
    await this.contacts.transition(tx, contact.id, 'release', { expectWorker: offer.worker_id });
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
    return { stationId: contact.station_id, setAway };
  }

  /** After the transaction committed: tell the operator (and coordinators) and route both sides again. */
  async afterRelease(offer: OfferRow, kind: ReleaseKind, released: Released): Promise<void> {
    if (kind.reason !== 'declined') {
      const e: OfferRevokedEvent = { offerId: offer.id, contactId: offer.contact_id, reason: kind.reason };
      this.notifier.revoked(offer.worker_id, e);
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
    // One job, in order: the contact first finds its next operator (or comes back to this one if nobody else can
    // take it), then the operator who let it go is offered other work.
    await this.routing.routeContact(offer.contact_id, released.setAway === undefined ? offer.worker_id : undefined);
    if (released.setAway !== undefined) {
      for (const id of await this.contacts.waitingAt(released.stationId)) await this.routing.routeContact(id);
    }
  }
}
