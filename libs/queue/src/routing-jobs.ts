/** The routing queue and its jobs. Payloads carry ids only: handlers reload and check the state they expect. */
export const ROUTING_QUEUE = 'routing';

export const RoutingJob = {
  /** A contact is waiting (new, given back, or its pool widened): find it an operator. */
  RouteContact: 'route-contact',
  /** An operator has room (available, connected, finished or let go of a contact): find them a contact. */
  RouteOperator: 'route-operator',
  /** Revoke an offer if it is still open at its expiry. */
  ExpireOffer: 'expire-offer',
  /** A promised callback is due: create its outbound contact. */
  FollowUpDue: 'follow-up-due',
  /** Periodic: open and close coverage gaps. */
  CoverageCheck: 'coverage-check',
  /** Nightly: the statistics rollups compared with a recomputation from the raw records. */
  StatsReconcile: 'stats-reconcile',
  /** Periodic safety net: overdue offers, missed dispatches, lost sockets, reconnect grace. */
  Reconcile: 'reconcile',
} as const;

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
