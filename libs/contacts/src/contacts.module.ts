import { Module } from '@nestjs/common';
import { AlertsModule } from '@kapok/alerts';
import { MetricsModule } from '@kapok/metrics';
import { OrgModule } from '@kapok/org';
import { PresenceModule } from '@kapok/presence';
import { CallerNumberCipher } from './caller-number-cipher';
import { CallerNumberStore } from './caller-number.store';
import { ContactRepository } from './contact.repository';
import { FollowUpRepository } from './follow-up.repository';
import { OfferRepository } from './offer.repository';
import { OfferedContact } from './offered-contact';
import { OutcomeRecorderPort } from './outcome-recorder';
import { OutcomeRepository } from './outcome.repository';
import { AbandonContact } from './use-cases/abandon-contact';
import { ContactAccess } from './use-cases/contact-access';
import { EndContact } from './use-cases/end-contact';
import { GetContact } from './use-cases/get-contact';
import { ReceiveContact } from './use-cases/receive-contact';
import { RecordOutcome } from './use-cases/record-outcome';

/** The writers of contacts, offers, outcomes and follow_ups: nothing else writes these tables. */
const repositories = [ContactRepository, OfferRepository, OutcomeRepository, FollowUpRepository];
const useCases = [ReceiveContact, GetContact, AbandonContact, EndContact, RecordOutcome];
const services = [ContactAccess, CallerNumberCipher, CallerNumberStore, OutcomeRecorderPort, OfferedContact];

/**
 * A contact's life. Depends on no other domain library but org, presence and alerts (it raises risk alerts): the records library depends on this
 * one and registers itself as the OutcomeRecorder (what recording an outcome writes into the record).
 */
@Module({
  imports: [OrgModule, PresenceModule, MetricsModule, AlertsModule],
  providers: [...repositories, ...services, ...useCases],
  exports: [...repositories, ...services, ...useCases],
})
export class ContactsModule {}
