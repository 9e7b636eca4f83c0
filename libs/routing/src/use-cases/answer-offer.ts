import { Injectable } from '@nestjs/common';
import { ContactRepository, OfferRepository, toContactView } from '@kapok/contacts';
import { OfferAcceptAck, OfferDeclineAck } from '@kapok/contracts';
import { Db } from '@kapok/database';
import { Metrics } from '@kapok/metrics';
import { AgentStateRepository } from '@kapok/presence';
import { RoutingQueue } from '@kapok/queue';
import { MatchingRepository } from '../matching.repository';
import { OfferRelease } from '../offer-release';

/** The answers are the acknowledgements of `offer:accept` and `offer:decline` (@kapok/contracts). */
export type OfferAnswer = OfferAcceptAck | OfferDeclineAck;

class Refused extends Error {}

/**
 * An operator accepts or declines an offer made to them. The conditional updates decide any race with expiry. A
 * decline's answer says what happens to the contact now (OfferLetGoNext).
 */
@Injectable()
export class AnswerOffer {
  constructor(
    private readonly db: Db,
    private readonly contacts: ContactRepository,
    private readonly offers: OfferRepository,
    private readonly release: OfferRelease,
    private readonly routing: RoutingQueue,
    private readonly agents: AgentStateRepository,
    private readonly metrics: Metrics,
    private readonly matching: MatchingRepository,
  ) {}

  async accept(userId: string, offerId: string): Promise<OfferAcceptAck> {
    try {
      const { contact, firstAnswer } = await this.db.tx(async (tx) => {
        const offer = await this.offers.find(offerId, tx);
        if (!offer || offer.worker_id !== userId) throw new Refused('offer_not_found');
        const before = await this.contacts.lock(offer.contact_id, tx);
        if (offer.status !== 'open') throw new Refused(`offer_${offer.status}`);
        if (!(await this.offers.close(tx, offerId, 'accepted'))) throw new Refused('offer_expired');
        const active = await this.contacts.transition(tx, offer.contact_id, 'accept', { expectWorker: userId });
        if (!active) throw new Refused('contact_not_offered');
        await this.agents.countAnswer(userId, tx);
        // a contact given back (console lost) and answered again keeps its first answer time: counted once
        return { contact: active, firstAnswer: !before?.answered_at };
      });
      if (firstAnswer && contact.answered_at) {
        const waited = new Date(contact.answered_at).getTime() - new Date(contact.queued_at).getTime();
        this.metrics.contactAnswered(contact.channel, waited / 1000);
      }
      await this.routing.cancelOfferExpiry(offerId);
      if (contact.channel !== 'phone') await this.routing.routeOperator(userId); // room for another chat
      return { ok: true, contact: toContactView(contact) };
    } catch (err) {
      if (err instanceof Refused) return { ok: false, error: err.message };
      throw err;
    }
  }

  async decline(userId: string, offerId: string): Promise<OfferDeclineAck> {
    const offer = await this.offers.find(offerId);
    if (!offer || offer.worker_id !== userId) return { ok: false, error: 'offer_not_found' };
    const kind = { status: 'declined', reason: 'declined' } as const;
    const released = await this.db.tx((tx) => this.release.release(tx, offer, kind));
    if (!released) return { ok: false, error: 'offer_not_open' };
    await this.release.afterRelease(offer, kind, released);
    // what happens now, for the console to say truthfully (the contact rings others at once, or comes back)
    return { ok: true, next: await this.matching.afterLetGo(offer.contact_id, userId) };
  }
}
