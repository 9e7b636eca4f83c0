import { Module } from '@nestjs/common';
import { OrgModule } from '@kapok/org';
import { PresenceModule } from '@kapok/presence';
import { RecordsModule } from '@kapok/records';
import { ContactRepository } from './contact.repository';
import { FollowUpRepository } from './follow-up.repository';
import { OfferRepository } from './offer.repository';
import { OutcomeRepository } from './outcome.repository';
import { RiskAlerts } from './risk-alerts';
import { AbandonContact } from './use-cases/abandon-contact';
import { ContactAccess } from './use-cases/contact-access';
import { EndContact } from './use-cases/end-contact';
import { GetContact } from './use-cases/get-contact';
import { ReceiveContact } from './use-cases/receive-contact';
import { RecordOutcome } from './use-cases/record-outcome';

const useCases = [ReceiveContact, GetContact, AbandonContact, EndContact, RecordOutcome];

@Module({
  imports: [OrgModule, PresenceModule, RecordsModule],
  providers: [ContactRepository, OfferRepository, OutcomeRepository, ContactAccess, RiskAlerts, FollowUpRepository, ...useCases],
  exports: [ContactRepository, OfferRepository, OutcomeRepository, ContactAccess, RiskAlerts, FollowUpRepository, ...useCases],
})
export class ContactsModule {}
