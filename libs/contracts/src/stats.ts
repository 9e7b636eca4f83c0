import type { Channel, ContactStatus, CoverageGapKind, GroupBy, OrgLevel } from './enums';

// ------------------------------------------------------------------------------------------ statistics

/** The figures of one row (or of the totals), in the contract's order; `problemsRaised` is an extra. */
export interface Figures {
  contacts: number;
  answered: number;
  abandoned: number;
  served: number;
  problemsResolved: number;
  materialAidContacts: number;
  psychologicalSupportContacts: number;
  highRiskContacts: number;
  /** Mean of (answered − queued) over answered contacts; null when none was answered. */
  avgSpeedOfAnswerSeconds: number | null;
  /** Mean of (wrap-up end − answered) over completed contacts; null when none was completed. */
  avgHandleSeconds: number | null;
  /** Answered within the threshold / (answered + abandoned after the threshold); null when both are 0. */
  serviceLevel: number | null;
  /** Abandoned / (answered + abandoned); null when both are 0. */
  abandonmentRate: number | null;
  problemsRaised: number;
}
export type FigureName = keyof Figures;

/** Every figure, in the order of the API's rows, the CSV columns and the spreadsheet. */
export const FIGURE_NAMES = [
  'contacts',
  'answered',
  'abandoned',
  'served',
  'problemsResolved',
  'materialAidContacts',
  'psychologicalSupportContacts',
  'highRiskContacts',
  'avgSpeedOfAnswerSeconds',
  'avgHandleSeconds',
  'serviceLevel',
  'abandonmentRate',
  'problemsRaised',
] as const satisfies readonly FigureName[];

export interface StatsRow extends Figures {
  key: string;
  label: string;
}

/** `GET /api/stats/service-counts` (format=json). */
export interface ServiceCountsResult {
  from: string;
  to: string;
  groupBy: GroupBy;
  timeZone: string;
  serviceLevelThresholdSeconds: number;
  rows: StatsRow[];
  totals: Figures;
}

/** `GET /api/stats/bulletin?month=YYYY-MM`: a month's headline figures and the sentence the bureau publishes. */
export interface BulletinResult {
  month: string;
  from: string;
  to: string;
  timeZone: string;
  scope: { name: string };
  /** The month's totals, plus operators' working days (接线服务社工人次). */
  figures: Figures & { workerShifts: number };
  /** The same figures for the month before, for comparison. */
  previousMonth: { month: string; served: number; problemsResolved: number; contacts: number };
  byServiceType: { key: string; label: string; contacts: number }[];
  title: string;
  /** Exact figures: "本月服务困难群众和特殊群体 N 人次，解决问题 M 个，…" */
  sentence: string;
  /** The same with large numbers rounded down as the bureau publishes them ("15 万余人次"). */
  sentenceRounded: string;
}

// ------------------------------------------------------------------------------------------ the live board

/** One unit of `queue:snapshot` (contract fields first, then extras). Definitions: docs/socket-events.md. */
export interface LiveUnit {
  orgUnitId: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
  /** Contacts not answered yet (queued or offered and ringing). */
  waiting: number;
  /** Seconds the longest-waiting of them has waited; 0 when nobody waits. */
  oldestWaitSeconds: number;
  /** Operators by state: signed in and available, holding a contact (ringing or talking), wrapping up, away. */
  available: number;
  busy: number;
  wrapUp: number;
  away: number;
  /** Operators neither signed in (no socket) nor busy, or who declared themselves offline. */
  offline: number;
  /** Operators with at least one socket connected. */
  signedIn: number;
  /** Operators with a shift covering now (shifts table). */
  rostered: number;
  /** Today (Asia/Shanghai) from the rollups: contacts that reached the line today, answered, abandoned. */
  contactsToday: number;
  answeredToday: number;
  abandonedToday: number;
  servedToday: number;
  serviceLevelToday: number | null;
  /** Open coverage gaps of this unit. */
  coverageGaps: CoverageGapKind[];
  /**
   * Operators of the unit whose console is lost (no socket) in the middle of an active phone contact: the call goes
   * on on the phone network and the contact stays theirs (listed in `QueueSnapshot.consoleLostContacts`).
   */
  consoleLost: number;
}

/**
 * A phone contact whose operator's console is lost (no socket) while it is active. It is not taken from them: it
 * waits for the telephony side (`/end`), the operator, or a coordinator who lets it go
 * (`POST /api/contacts/:id/reclaim`).
 */
export interface ConsoleLostContact {
  contactId: string;
  /** The operator's station (where they count on the board). */
  stationId: string;
  operatorId: string;
  operatorName: string;
  answeredAt: string;
  /** When the operator's last socket closed. */
  disconnectedAt: string;
}

/** `queue:snapshot` on `/monitor`, and `GET /api/stats/live`. */
export interface QueueSnapshot {
  at: string;
  units: LiveUnit[];
  /** The contacts counted by the units' `consoleLost`, in the monitor's part of the tree, longest lost first. */
  consoleLostContacts: ConsoleLostContact[];
}

/** A coverage gap (`coverage:gap` when it opens, `endedAt: null`, and when it closes). */
export interface CoverageGap {
  id: string;
  unitId: string;
  unitName: string;
  kind: CoverageGapKind;
  startedAt: string;
  endedAt: string | null;
}

/** An operator's state as the live board counts it (LiveUnit: available, busy, wrapUp, away, offline). */
export type OperatorDutyState = 'available' | 'busy' | 'wrap_up' | 'away' | 'offline';

/** One operator of a station, now: state, the contact they hold, and their figures of today (Asia/Shanghai). */
export interface DutyOperator {
  userId: string;
  /** The sign-in name (what a roster CSV names the operator by). */
  username: string;
  displayName: string;
  /** Phone extension (分机号), if any. */
  extension: string | null;
  state: OperatorDutyState;
  /** At least one console (socket) connected. */
  signedIn: boolean;
  /** The contact they hold (ringing, talking, or wrapping up), if any. */
  contact: { contactId: string; channel: Channel; status: ContactStatus; since: string } | null;
  /** Today, from the rollups (every station they answered for): as in `Figures`. */
  today: Pick<Figures, 'answered' | 'served' | 'highRiskContacts' | 'avgHandleSeconds'>;
}

/** `GET /api/stations/:stationId/duty`: who of a station is on duty now, and each one's figures of today. */
export interface StationDutyView {
  stationId: string;
  stationName: string;
  /** The Asia/Shanghai day of `today`. */
  day: string;
  at: string;
  /** Signed-in operators first, then by name. */
  operators: DutyOperator[];
}
