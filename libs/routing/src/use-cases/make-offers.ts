import { Injectable, Logger } from '@nestjs/common';
import { ContactRepository, ContactRow, OfferRepository, OfferRow, toOfferedContactView } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier } from '@kapok/realtime';
import { MatchingRepository } from '../matching.repository';

/** One lock for all matching of the organisation tree (pairs can cross stations through overflow). */
const MATCH_LOCK = 7235100;

/**
 * Makes offers. Both entry points run under one transaction-level advisory lock, so matches never race: a trigger
 * that arrives while another match runs waits for it and then sees everything it committed (no lost wake-up, no
 * pair made twice). Each call makes at most one offer, in one short transaction; the database's unique indexes and
 * the operator-load trigger would refuse a double assignment anyway.
 */
@Injectable()
export class MakeOffers {
  private readonly logger = new Logger(MakeOffers.name);

  constructor(
    private readonly db: Db,
    private readonly contacts: ContactRepository,
    private readonly offers: OfferRepository,
    private readonly matching: MatchingRepository,
    private readonly routing: RoutingQueue,
    private readonly notifier: AgentNotifier,
  ) {}

  /** A contact is waiting: offer it to the best eligible operator now, if any. */
  async forContact(contactId: string, opts: { firstTime?: boolean } = {}): Promise<boolean> {
    if (opts.firstTime) await this.routing.scheduleContactTimers(contactId, await this.matching.ruleTimes(contactId));
    const made = await this.db.tx(async (tx) => {
      await this.db.run('SELECT pg_advisory_xact_lock($1)', [MATCH_LOCK], tx);
      const workerId = await this.matching.bestOperatorFor(contactId, tx);
      return workerId ? this.offer(contactId, workerId, tx) : undefined;
    });
    if (made) await this.announce(made);
    return !!made;
  }

  /** An operator has room: offer them the best waiting contact they may take, if any. */
  async forOperator(userId: string): Promise<boolean> {
    const made = await this.db.tx(async (tx) => {
      await this.db.run('SELECT pg_advisory_xact_lock($1)', [MATCH_LOCK], tx);
      const contactId = await this.matching.bestContactFor(userId, tx);
      return contactId ? this.offer(contactId, userId, tx) : undefined;
    });
    if (made) await this.announce(made);
    return !!made;
  }

  private async offer(contactId: string, workerId: string, tx: Parameters<Db['run']>[2] & object) {
    const contact = await this.contacts.lock(contactId, tx);
    if (!contact || contact.status !== 'queued') return undefined;
    const timeout = await this.matching.offerTimeoutFor(contact.station_id, tx);
    const offer = await this.offers.create(tx, contactId, workerId, timeout);
    const offered = await this.contacts.transition(tx, contactId, 'offer', { worker: workerId });
    return { offer, contact: offered! };
  }

  private async announce({ offer, contact }: { offer: OfferRow; contact: ContactRow }): Promise<void> {
    this.notifier.offer(offer.worker_id, {
      offerId: offer.id,
      contact: toOfferedContactView(contact),
      expiresAt: new Date(offer.expires_at).toISOString(),
    });
    await this.routing.scheduleOfferExpiry(offer.id, new Date(offer.expires_at));
    this.logger.debug(`offered ${contact.id} to ${offer.worker_id}`);
  }
}
