import { ConflictException, Injectable } from '@nestjs/common';
import { Db } from '@kapok/database';
import { Metrics } from '@kapok/metrics';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier } from '@kapok/realtime';
import { canTransition } from '../contact-state-machine';
import { ContactRepository } from '../contact.repository';
import { ContactView, toContactView } from '../contact.views';
import { OfferRepository } from '../offer.repository';
import { ContactAccess } from './contact-access';

/** The caller left while waiting. An open offer is revoked and its operator is free for the next contact. */
@Injectable()
export class AbandonContact {
  constructor(
    private readonly db: Db,
    private readonly contacts: ContactRepository,
    private readonly offers: OfferRepository,
    private readonly access: ContactAccess,
    private readonly routing: RoutingQueue,
    private readonly notifier: AgentNotifier,
    private readonly metrics: Metrics,
  ) {}

  async execute(id: string, intakeKeyId: string): Promise<ContactView> {
    const result = await this.db.tx(async (tx) => {
      const contact = await this.access.ensureVisible(
        await this.contacts.lock(id, tx),
        {
          kind: 'intake',
          intakeKeyId,
        },
        tx,
      );
      if (contact.status === 'abandoned') return { contact, revoked: undefined, changed: false }; // a retry
      if (!canTransition('abandon', contact.status)) {
        throw new ConflictException(`Contact is ${contact.status}: it was already answered`);
      }
      const offer = contact.status === 'offered' ? await this.offers.findOpenForContact(id, tx) : undefined;
      if (offer) await this.offers.close(tx, offer.id, 'revoked', 'abandoned');
      const abandoned = await this.contacts.transition(tx, id, 'abandon');
      return { contact: abandoned!, revoked: offer, changed: true };
    });
    if (result.changed) this.metrics.contactAbandoned(result.contact.channel);
    if (result.revoked) {
      const { id: offerId, worker_id: workerId } = result.revoked;
      this.metrics.offerEnded(result.contact.channel, 'abandoned');
      this.notifier.revoked(workerId, { offerId, contactId: id, reason: 'abandoned' });
      await this.routing.cancelOfferExpiry(offerId);
      await this.routing.routeOperator(workerId);
    }
    return toContactView(result.contact);
  }
}
