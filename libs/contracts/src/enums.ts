/**
 * Every code the API puts on the wire, as value lists. Server validation (`@IsIn(...)`, state machines, SQL) and
 * the console (labels, form options) both read these, so a code added here is checked on both sides: the console's
 * `Record<Code, string>` label maps do not compile until the new code has a label.
 */

// ------------------------------------------------------------------------------------------ people and the tree

export const ROLES = ['operator', 'coordinator', 'supervisor', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The roles that may open the `/monitor` socket (the live board). */
export const MONITOR_ROLES = ['coordinator', 'supervisor', 'manager', 'admin'] as const;
export type MonitorRole = (typeof MONITOR_ROLES)[number];

/** The roles that keep a station's rosters, routing settings and 常用语 (others in scope read them). */
export const STATION_KEEPER_ROLES: readonly Role[] = ['coordinator', 'admin'];

export const ORG_LEVELS = ['city', 'region', 'district', 'station', 'point'] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];

/** An operator's declared presence (`presence:set`). */
export const PRESENCES = ['available', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

/** Why a session was revoked: signed out, revoked by its owner from the sessions list, account deactivated. */
export const SESSION_REVOKE_REASONS = ['logout', 'revoked', 'deactivated'] as const;
export type SessionRevokeReason = (typeof SESSION_REVOKE_REASONS)[number];
/** Why a socket's session ended (sent as `session:ended` before the server closes the socket). */
export const SESSION_END_REASONS = [...SESSION_REVOKE_REASONS, 'expired', 'changed'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

// ------------------------------------------------------------------------------------------ contacts

export const CONTACT_STATUSES = ['queued', 'offered', 'active', 'wrap_up', 'completed', 'abandoned'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export const CHANNELS = ['phone', 'chat', 'wechat'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Inbound: a caller reached a line; outbound: a follow-up call the service makes. */
export const CONTACT_DIRECTIONS = ['inbound', 'outbound'] as const;
export type ContactDirection = (typeof CONTACT_DIRECTIONS)[number];

/** The risk a gateway declares at intake (routing priority). */
export const RISK_LEVELS = ['normal', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/**
 * Why an open offer went away (`offer:revoked`). `undelivered`: it reached no gateway (Redis had no subscriber for
 * it), so it was withdrawn at once; it counts neither as a miss nor as a decline.
 */
export const OFFER_REVOKE_REASONS = [
  'timeout',
  'abandoned',
  'taken',
  'declined',
  'disconnected',
  'away',
  'undelivered',
] as const;
export type OfferRevokeReason = (typeof OFFER_REVOKE_REASONS)[number];

// ------------------------------------------------------------------------------------------ the outcome (服务记录)

export const SERVICE_TYPES = [
  'psychological_support',
  'emotional_support',
  'material_aid',
  'policy_consultation',
  'resource_linking',
  'emergency_assistance',
  'referral',
] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const TARGET_GROUPS = ['elderly', 'children', 'disabled', 'low_income', 'mental_health', 'other'] as const;
export type TargetGroup = (typeof TARGET_GROUPS)[number];

/** The operator's psychological risk assessment (with `psychological_support`). */
export const RISK_ASSESSMENTS = ['none', 'low', 'medium', 'high', 'imminent'] as const;
export type RiskAssessment = (typeof RISK_ASSESSMENTS)[number];
/** Risk assessments that make a record high-risk (with the contact's own risk level high or critical). */
export const HIGH_RISK_ASSESSMENTS = ['high', 'imminent'] as const satisfies readonly RiskAssessment[];

export const AID_CATEGORIES = ['food', 'medicine', 'daily_necessities', 'other'] as const;
export type AidCategory = (typeof AID_CATEGORIES)[number];

export const RESOLUTIONS = ['resolved', 'referred', 'unresolved'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

// ------------------------------------------------------------------------------------------ records

/** A material-aid request: `requested → arranged → delivered`, or `cancelled` while not delivered. */
export const AID_STATUSES = ['requested', 'arranged', 'delivered', 'cancelled'] as const;
export type AidStatus = (typeof AID_STATUSES)[number];
export const OPEN_AID_STATUSES = ['requested', 'arranged'] as const satisfies readonly AidStatus[];

/** A follow-up (callback): `scheduled → contact_created → done`; `cancelled` is allowed by the schema. */
export const FOLLOW_UP_STATUSES = ['scheduled', 'contact_created', 'done', 'cancelled'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];
/** Still to be done: listed as open, counted as overdue past their due time. */
export const OPEN_FOLLOW_UP_STATUSES = ['scheduled', 'contact_created'] as const satisfies readonly FollowUpStatus[];

/** `GET /api/records?sort=`. */
export const RECORD_SORTS = ['-queuedAt', 'queuedAt', '-completedAt', 'completedAt', 'risk'] as const;
export type RecordSort = (typeof RECORD_SORTS)[number];

/** `GET /api/records?followUp=`: the record's follow-up. */
export const RECORD_FOLLOW_UP_FILTERS = ['open', 'overdue', 'done', 'none'] as const;
export type RecordFollowUpFilter = (typeof RECORD_FOLLOW_UP_FILTERS)[number];

// ------------------------------------------------------------------------------------------ rosters and statistics

/** `coverage:gap`: a station with a shift now and nobody signed in; a district with nobody rostered now. */
export const COVERAGE_GAP_KINDS = ['nobody_signed_in', 'nobody_rostered'] as const;
export type CoverageGapKind = (typeof COVERAGE_GAP_KINDS)[number];

/** `GET /api/stats/service-counts?groupBy=`. */
export const GROUP_BYS = [
  'day',
  'week',
  'month',
  'region',
  'district',
  'station',
  'hotline',
  'serviceType',
  'channel',
  'targetGroup',
  'worker',
] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** `GET /api/stats/service-counts?format=`. */
export const FORMATS = ['json', 'csv', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];
