import { Injectable } from '@nestjs/common';
import { AppConfig } from '@kapok/config';
import { ContactRepository, OfferRepository, toOfferedContactView } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier } from '@kapok/realtime';
import { OperatorPool } from '../operator-pool';

/**
 * Matches a station's waiting contacts with its free operators, one pair per transaction, until one side runs out.
 * Dispatches of one station are serialised by an advisory lock: a trigger that arrives while another dispatch is
 * running waits for it and then sees everything it committed, so no wake-up is lost. Two routers never pick the
 * same pair; the unique indexes on offers and contacts would refuse it anyway.
 */
@Injectable()
export class DispatchStation {
  constructor(
    private readonly db: Db,
    private readonly contacts: ContactRepository,
    private readonly offers: OfferRepository,
    private readonly pool: OperatorPool,
    private readonly routing: RoutingQueue,
    private readonly notifier: AgentNotifier,
    private readonly config: AppConfig,
  ) {}

  /** Returns the number of offers made. */
  async execute(stationId: string): Promise<number> {
    const timeout = this.config.get('OFFER_TIMEOUT_SECONDS');
    let made = 0;
    for (;;) {
      const pair = await this.db.tx(async (tx) => {
        await this.db.run('SELECT pg_advisory_xact_lock(hashtext($1))', [`dispatch:${stationId}`], tx);
        const contact = await this.contacts.lockNextWaiting(stationId, tx);
        if (!contact) return undefined;
        const workerId = await this.pool.lockLongestIdle(stationId, contact.id, tx);
        if (!workerId) return undefined;
        const offer = await this.offers.create(tx, contact.id, workerId, timeout);
        const offered = await this.contacts.transition(tx, contact.id, 'offer', { worker: workerId });
        return { offer, contact: offered! };
      });
      if (!pair) return made;
      made++;
      this.notifier.offer(pair.offer.worker_id, {
        offerId: pair.offer.id,
        contact: toOfferedContactView(pair.contact),
        expiresAt: new Date(pair.offer.expires_at).toISOString(),
      });
      await this.routing.scheduleOfferExpiry(pair.offer.id, new Date(pair.offer.expires_at));
    }
  }
}
