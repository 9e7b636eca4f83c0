import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { OfferRepository } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { RoutingQueue } from '@kapok/queue';
import { OfferRelease } from '../offer-release';

/** An offer's time is up: if it is still open it is revoked and the contact goes to the next operator. */
@Injectable()
export class ExpireOffer {
  constructor(
    private readonly db: Db,
    private readonly offers: OfferRepository,
    private readonly release: OfferRelease,
    private readonly routing: RoutingQueue,
    private readonly clock: Clock,
  ) {}

  async execute(offerId: string): Promise<boolean> {
    const offer = await this.offers.find(offerId);
    if (!offer || offer.status !== 'open') return false;
    if (new Date(offer.expires_at).getTime() > this.clock.now().getTime() + 25) {
      await this.routing.scheduleOfferExpiry(offer.id, new Date(offer.expires_at), true); // fired early
      return false;
    }
    const kind = { status: 'expired', reason: 'timeout' } as const;
    const released = await this.db.tx((tx) => this.release.release(tx, offer, kind));
    if (!released) return false;
    await this.release.afterRelease(offer, kind, released);
    return true;
  }
}
