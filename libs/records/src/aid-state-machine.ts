/**
 * A material-aid request's life: `requested → arranged → delivered`, or `cancelled` (with a reason) while it is
 * not delivered yet. Each step is a named transition applied as a conditional update
 * (`UPDATE aid_requests … WHERE id = :id AND status = ANY(:from)`) and acted on only when a row changed; each step
 * also leaves a row in aid_request_steps (who, when, a note).
 */
import type { AidStatus } from '@kapok/contracts';

// Shared with the console (@kapok/contracts).
export { AID_STATUSES, OPEN_AID_STATUSES } from '@kapok/contracts';
export type { AidStatus } from '@kapok/contracts';

export interface AidTransition {
  from: readonly AidStatus[];
  to: AidStatus;
  /** Extra assignments: $3 is the person acting, $4 the note (the reason, for a cancellation). */
  set: string;
}

export const AidTransitions = {
  /** The delivering station has arranged the delivery (who brings what, when). */
  arrange: { from: ['requested'], to: 'arranged', set: 'arranged_at = now(), arranged_by = $3' },
  /** Delivered to the caller. */
  deliver: { from: ['arranged'], to: 'delivered', set: 'delivered_at = now(), delivered_by = $3' },
  /** Not delivered, with a reason (no longer needed, unreachable, provided by another service …). */
  cancel: {
    from: ['requested', 'arranged'],
    to: 'cancelled',
    set: 'cancelled_at = now(), cancelled_by = $3, cancel_reason = $4',
  },
} as const satisfies Record<string, AidTransition>;

export type AidTransitionName = keyof typeof AidTransitions;
export const AID_TRANSITION_NAMES = Object.keys(AidTransitions) as AidTransitionName[];

export function canAidTransition(name: AidTransitionName, from: AidStatus): boolean {
  return (AidTransitions[name].from as readonly AidStatus[]).includes(from);
}

/**
 * Not a step: while a request is only requested, an amendment of its record may still change what is asked for and
 * which station delivers it (a conditional update, `… WHERE status = ANY(:these)`). Once arranged it is 409.
 */
export const AID_ITEMS_CHANGEABLE_IN: readonly AidStatus[] = ['requested'];

export function canChangeAidItems(status: AidStatus): boolean {
  return AID_ITEMS_CHANGEABLE_IN.includes(status);
}
