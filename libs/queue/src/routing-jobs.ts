/** The routing queue and its jobs. Payloads carry ids only: handlers reload and check the state they expect. */
export const ROUTING_QUEUE = 'routing';

export const RoutingJob = {
  /** Look at a station's waiting contacts and free operators and make offers. */
  Dispatch: 'dispatch',
  /** Revoke an offer if it is still open at its expiry. */
  ExpireOffer: 'expire-offer',
  /** Periodic safety net: overdue offers, missed dispatches, lost sockets, reconnect grace. */
  Reconcile: 'reconcile',
} as const;

export interface DispatchJob {
  stationId: string;
}
export interface ExpireOfferJob {
  offerId: string;
}
