import { Module } from '@nestjs/common';
import { ContactsModule } from '@kapok/contacts';
import { PresenceModule } from '@kapok/presence';
import { OfferRelease } from './offer-release';
import { OperatorPool } from './operator-pool';
import { AgentSession } from './use-cases/agent-session';
import { AnswerOffer } from './use-cases/answer-offer';
import { DispatchStation } from './use-cases/dispatch-station';
import { ExpireOffer } from './use-cases/expire-offer';
import { Reconcile } from './use-cases/reconcile';

const useCases = [DispatchStation, AnswerOffer, ExpireOffer, AgentSession, Reconcile];

@Module({
  imports: [ContactsModule, PresenceModule],
  providers: [OperatorPool, OfferRelease, ...useCases],
  exports: [...useCases],
})
export class RoutingModule {}
