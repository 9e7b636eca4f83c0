import { Injectable } from '@nestjs/common';
import { AppConfig } from '@kapok/config';

/** Topics that name a skill an operator can have; other topics are informative and never block routing. */
export const SKILL_TOPICS = [
  'psychological_support',
  'emotional_support',
  'material_aid',
  'policy_consultation',
  'resource_linking',
  'emergency_assistance',
  'referral',
  'elderly',
  'children',
  'disabled',
  'low_income',
  'mental_health',
] as const;

/**
 * The city-wide defaults of every routing rule (from configuration). A station can override each of them in
 * station_settings; the matching SQL applies the override with COALESCE.
 */
@Injectable()
export class RoutingRules {
  constructor(private readonly config: AppConfig) {}

  get defaults() {
    return {
      offerTimeoutSeconds: this.config.get('OFFER_TIMEOUT_SECONDS'),
      overflowDistrictSeconds: this.config.get('OVERFLOW_DISTRICT_SECONDS'),
      overflowRegionSeconds: this.config.get('OVERFLOW_REGION_SECONDS'),
      overflowCitySeconds: this.config.get('OVERFLOW_CITY_SECONDS'),
      skillRelaxSeconds: this.config.get('SKILL_RELAX_SECONDS'),
      continuityWindowSeconds: this.config.get('CONTINUITY_WINDOW_SECONDS'),
      continuityDays: this.config.get('CONTINUITY_DAYS'),
      chatCapacity: this.config.get('CHAT_CAPACITY'),
      missedOffersToAway: this.config.get('MISSED_OFFERS_TO_AWAY'),
      letGoPauseSeconds: this.config.get('LET_GO_PAUSE_SECONDS'),
      chatIdleMinutes: this.config.get('CHAT_IDLE_MINUTES'),
    };
  }
}
