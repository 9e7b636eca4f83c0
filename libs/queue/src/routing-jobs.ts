/** The routing queue and its jobs. Payloads carry ids only: handlers reload and check the state they expect. */
export const ROUTING_QUEUE = 'routing';

export interface RouteContactJob {
  contactId: string;
  /** An operator who just let this contact go: routed after the contact has found its next operator. */
  thenOperatorId?: string;
}
export interface RouteOperatorJob {
  userId: string;
}
export interface ExpireOfferJob {
  offerId: string;
}
export interface FollowUpDueJob {
  followUpId: string;
}
/**
 * What every job may carry besides its ids: the request id of the HTTP request that enqueued it (request-context.ts),
 * set by RoutingQueue.add, so the router's log lines for the job carry it too.
 */
export interface JobTrace {
  requestId?: string;
}
/** A tick of a job scheduler: it carries nothing, the handler looks at everything. */
export type PeriodicJob = Record<string, never>;

/**
 * Every job of the routing queue: its name and its payload. `RoutingQueue.add` takes a name and the payload of that
 * name; the router's processor has one handler per name, and the compiler refuses a map that misses one.
 */
export interface RoutingJobs {
  /** A contact is waiting (new, given back, or its pool widened): find it an operator. */
  'route-contact': RouteContactJob;
  /** An operator has room (available, connected, finished or let go of a contact): find them a contact. */
  'route-operator': RouteOperatorJob;
  /** Revoke an offer if it is still open at its expiry. */
  'expire-offer': ExpireOfferJob;
  /** A promised callback is due: create its outbound contact. */
  'follow-up-due': FollowUpDueJob;
  /** Periodic safety net: overdue offers, missed dispatches, lost sockets, reconnect grace. */
  reconcile: PeriodicJob;
  /** Periodic: open and close coverage gaps. */
  'coverage-check': PeriodicJob;
  /** Nightly: the statistics rollups compared with a recomputation from the raw records. */
  'stats-reconcile': PeriodicJob;
  /** Periodic: the statistics changes written since the last fold added to the rollups. */
  'stats-fold': PeriodicJob;
  /** Periodic: material-aid requests open too long are flagged to the delivering station's coordinators. */
  'flag-overdue-aid': PeriodicJob;
  /** Periodic: idle conversations closed, callers who left the queue abandoned, expired transcripts purged. */
  'conversation-sweep': PeriodicJob;
}
export type RoutingJobName = keyof RoutingJobs;
/** The jobs that only job schedulers add. */
export type PeriodicJobName = {
  [K in RoutingJobName]: RoutingJobs[K] extends PeriodicJob ? K : never;
}[RoutingJobName];

/**
 * The order jobs are taken in when work piles up (BullMQ priorities: a job without priority, here 0, goes before
 * every prioritized job; then 1, 2, 3; first in, first out within one). The safety net and the time-critical jobs
 * never wait behind a backlog of triggers: the reconcile sweep (whose next tick BullMQ schedules only once this one
 * is taken) and offer expiries. Then the jobs that give an operator with room their next contact and the periodic
 * checks, then the contact triggers (the bulk of a burst), then the nightly statistics check. A job that a dead
 * router held is queued again ahead of all of them. The compiler refuses a job without its priority.
 */
export const ROUTING_JOB_PRIORITY = {
  reconcile: 0,
  'expire-offer': 0,
  'route-operator': 1,
  'follow-up-due': 1,
  'coverage-check': 1,
  'flag-overdue-aid': 1,
  'conversation-sweep': 1,
  'stats-fold': 1,
  'route-contact': 2,
  'stats-reconcile': 3,
} as const satisfies Record<RoutingJobName, number>;

/** The job names as constants (`RoutingJob.RouteContact`), for readers who prefer them to the string. */
export const RoutingJob = {
  RouteContact: 'route-contact',
  RouteOperator: 'route-operator',
  ExpireOffer: 'expire-offer',
  FollowUpDue: 'follow-up-due',
  Reconcile: 'reconcile',
  CoverageCheck: 'coverage-check',
  StatsReconcile: 'stats-reconcile',
  StatsFold: 'stats-fold',
  FlagOverdueAid: 'flag-overdue-aid',
  ConversationSweep: 'conversation-sweep',
} as const satisfies Record<string, RoutingJobName>;

/**
 * A periodic job as a BullMQ job scheduler. The scheduler's id is the job's name: every router upserts the same
 * scheduler with the same options, so however many routers run, there is one scheduler and one job per tick.
 */
export interface RoutingSchedule {
  name: PeriodicJobName;
  repeat: { every: number } | { pattern: string; tz: string };
}
