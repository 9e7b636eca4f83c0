import { Module } from '@nestjs/common';
import { ContactsModule } from '@kapok/contacts';
import { MetricsModule } from '@kapok/metrics';
import { OrgModule } from '@kapok/org';
import { PresenceModule } from '@kapok/presence';
import { RecordsModule } from '@kapok/records';
import { MatchingRepository } from './matching.repository';
import { OfferRelease } from './offer-release';
import { RoutingRules } from './routing-rules';
import { StationSettings } from './station-settings';
import { StationSettingsRepository } from './station-settings.repository';
import { AgentSession } from './use-cases/agent-session';
import { AnswerOffer } from './use-cases/answer-offer';
import { ExpireOffer } from './use-cases/expire-offer';
import { FollowUpDue } from './use-cases/follow-up-due';
import { MakeOffers } from './use-cases/make-offers';
import { Reconcile } from './use-cases/reconcile';
import { RestoreTimers } from './use-cases/restore-timers';
import { ReconcileGatewaySessions } from './use-cases/reconcile-gateway-sessions';
import { ReclaimContact } from './use-cases/reclaim-contact';

const useCases = [
  MakeOffers,
  AnswerOffer,
  ExpireOffer,
  AgentSession,
  FollowUpDue,
  Reconcile,
  RestoreTimers,
  ReconcileGatewaySessions,
  ReclaimContact,
];

@Module({
  imports: [ContactsModule, PresenceModule, OrgModule, MetricsModule, RecordsModule],
  providers: [RoutingRules, MatchingRepository, StationSettingsRepository, OfferRelease, StationSettings, ...useCases],
  exports: [RoutingRules, MatchingRepository, StationSettingsRepository, StationSettings, ...useCases],
})
export class RoutingModule {}
