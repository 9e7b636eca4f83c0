import { CoreSchema1764400000000 } from './1764400000000-core-schema';
import { RoutingRules1764500000000 } from './1764500000000-routing-rules';
import { Records1764600000000 } from './1764600000000-records';
import { Stats1764700000000 } from './1764700000000-stats';
import { HeldContactsIndex1764800000000 } from './1764800000000-held-contacts-index';
import { Sessions1764900000000 } from './1764900000000-sessions';
import { AuditIntegrity1764910000000 } from './1764910000000-audit-integrity';
import { LoginAttempts1764920000000 } from './1764920000000-login-attempts';
import { AdminOrg1765000000000 } from './1765000000000-admin-org';
import { Accounts1765010000000 } from './1765010000000-accounts';
import { TemporaryPasswordExpiry1765015000000 } from './1765015000000-temporary-password-expiry';
import { OptionalReviewComment1765060000000 } from './1765060000000-optional-review-comment';
import { Conversations1765100000000 } from './1765100000000-conversations';
import { MatchLocks1765110000000 } from './1765110000000-match-locks';
import { Wechat1765200000000 } from './1765200000000-wechat';
import { RiskAlerts1765300000000 } from './1765300000000-risk-alerts';
import { StationQuickReplies1765320000000 } from './1765320000000-station-quick-replies';
import { AidDeliveringPoint1765310000000 } from './1765310000000-aid-delivering-point';
import { DutyBoard1765400000000 } from './1765400000000-duty-board';
import { StatsFoldLater1765500000000 } from './1765500000000-stats-fold-later';

/** Every migration, in order. New migrations are appended here (one line each). */
export const MIGRATIONS = [
  CoreSchema1764400000000,
  RoutingRules1764500000000,
  Records1764600000000,
  Stats1764700000000,
  HeldContactsIndex1764800000000,
  Sessions1764900000000,
  AuditIntegrity1764910000000,
  LoginAttempts1764920000000,
  AdminOrg1765000000000,
  Accounts1765010000000,
  TemporaryPasswordExpiry1765015000000,
  OptionalReviewComment1765060000000,
  Conversations1765100000000,
  MatchLocks1765110000000,
  Wechat1765200000000,
  RiskAlerts1765300000000,
  AidDeliveringPoint1765310000000,
  StationQuickReplies1765320000000,
  DutyBoard1765400000000,
  StatsFoldLater1765500000000,
];
