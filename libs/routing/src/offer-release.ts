import { Injectable } from '@nestjs/common';
import { ContactRepository, OfferRepository, OfferRow } from '@kapok/contacts';
import { Tx } from '@kapok/database';
import { AgentStateRepository } from '@kapok/presence';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier, OfferRevokedEvent } from '@kapok/realtime';

export type ReleaseKind =
  | { status: 'declined'; reason: 'declined' }
  | { status: 'expired'; reason: 'timeout' }
  | { status: 'revoked'; reason: 'disconnected' | 'away' };

/**
 * Letting go of an open offer (declined, timed out, or revoked): the contact goes back in line in its original
 * place, the operator goes to the back of the idle line, and the station is routed again at once.
 */
@Injectable()
export class OfferRelease {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly offers: OfferRepository,
    private readonly agents: AgentStateRepository,
    private readonly routing: RoutingQueue,
    private readonly notifier: AgentNotifier,
  ) {}

  /** In the caller's transaction; returns the station to route again, or undefined if the offer was not open. */
  async release(tx: Tx, offer: OfferRow, kind: ReleaseKind): Promise<string | undefined> {
    const contact = await this.contacts.lock(offer.contact_id, tx);
    if (!contact || !(await this.offers.close(tx, offer.id, kind.status, kind.reason))) return undefined;
    await this.contacts.transition(tx, contact.id, 'release', { expectWorker: offer.worker_id });
    await this.agents.markIdle(offer.worker_id, tx);
    return contact.station_id;
  }

  /** After the transaction committed: tell the operator and route the station again. */
  async afterRelease(offer: OfferRow, kind: ReleaseKind, stationId: string): Promise<void> {
    if (kind.reason !== 'declined') {
      const e: OfferRevokedEvent = { offerId: offer.id, contactId: offer.contact_id, reason: kind.reason };
      this.notifier.revoked(offer.worker_id, e);
    }
    if (kind.reason !== 'timeout') await this.routing.cancelOfferExpiry(offer.id);
    await this.routing.requestDispatch(stationId);
  }
}
