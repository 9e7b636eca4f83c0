/**
 * A follow-up's life (a callback promised in an outcome):
 *
 *   scheduled ──createContact──▶ contact_created ──complete──▶ done
 *       └──────────────────complete──────────────────────────────┘
 *
 * At its due time routing creates the outbound contact (`createContact`); recording that contact's outcome, or
 * someone completing it by hand (`POST /api/follow-ups/:id/complete`, for instance because the caller called back
 * on their own before it was due), makes it `done`. Each step is a named transition applied as a conditional
 * update (`UPDATE follow_ups … WHERE id = :id AND status = ANY(:from)`) by FollowUpRepository.transition, acted on
 * only when a row changed. `cancelled` is allowed by the schema; no operation cancels a follow-up yet.
 */
import type { FollowUpStatus } from '@kapok/contracts';

// Shared with the console (@kapok/contracts). OPEN_FOLLOW_UP_STATUSES: listed as open, overdue past their due time.
export { FOLLOW_UP_STATUSES, OPEN_FOLLOW_UP_STATUSES } from '@kapok/contracts';
export type { FollowUpStatus } from '@kapok/contracts';

export interface FollowUpTransition {
  from: readonly FollowUpStatus[];
  to: FollowUpStatus;
  /** Extra assignments; $3 is the moment (from the Clock), $4 the contact the transition links (or null). */
  set: string;
  /** An extra condition on the row, besides its status. */
  when?: string;
}

export const FollowUpTransitions = {
  /**
   * Due: its outbound contact is created in the same transaction (FollowUpDue), which then links it. A delayed job
   * may fire a little early: up to a second before the due time counts as due.
   */
  createContact: {
    from: ['scheduled'],
    to: 'contact_created',
    set: '',
    when: `due_at <= $3::timestamptz + interval '1 second'`,
  },
  /**
   * Done: by the outcome of its outbound contact, or by hand, linking the contact in which it was made ($4; null
   * keeps the outbound contact). Also before it was due: the caller may call back first.
   */
  complete: {
    from: ['scheduled', 'contact_created'],
    to: 'done',
    set: 'completed_at = $3, contact_id = COALESCE($4::uuid, contact_id)',
  },
} as const satisfies Record<string, FollowUpTransition>;

export type FollowUpTransitionName = keyof typeof FollowUpTransitions;

export function canFollowUpTransition(name: FollowUpTransitionName, from: FollowUpStatus): boolean {
  return (FollowUpTransitions[name].from as readonly FollowUpStatus[]).includes(from);
}
