/**
 * A contact's life, in one place. Every change of status is one of these named transitions, applied as a
 * conditional update (`UPDATE … WHERE status = ANY(from)`) by ContactRepository.transition: a transition that
 * finds the contact in another state changes nothing, and the caller acts only when a row changed. Times are the
 * moment of the statement read from the Clock ($4), not of the transaction's start, which may have waited for a
 * lock: a contact's whole timeline is on the application's clock, the one routing compares it with.
 */
import type { ContactStatus, RiskLevel } from '@kapok/contracts';

// The codes themselves are shared with the console (@kapok/contracts); re-exported for the libraries that use them.
export { CHANNELS, CONTACT_STATUSES, RISK_LEVELS } from '@kapok/contracts';
export type { Channel, ContactStatus, RiskLevel } from '@kapok/contracts';

export interface Transition {
  from: readonly ContactStatus[];
  to: ContactStatus;
  /**
   * Extra assignments; $4 is the moment (from the Clock), $5 the operator the transition assigns (or, `transfer`,
   * the operator it is transferred to), $6… the transition's own values (`transfer`: the rest of its target).
   */
  set: string;
}

export const ContactTransitions = {
  /** Reserved for one operator, who must accept before the offer expires. */
  offer: {
    from: ['queued'],
    to: 'offered',
    set: 'assigned_worker_id = $5, offered_at = $4, offer_count = offer_count + 1',
  },
  /** The operator accepted: the conversation starts. The first answer time is kept if it is re-answered. */
  accept: {
    from: ['offered'],
    to: 'active',
    set: `answered_at = COALESCE(answered_at, $4), transfer_worker_id = NULL, transfer_unit_id = NULL,
          transfer_supervisor = false`,
  },
  /** Declined, timed out, or revoked: back in line, in its original place (queued_at is kept). */
  release: { from: ['offered'], to: 'queued', set: 'assigned_worker_id = NULL' },
  /** The conversation ended: the operator records the outcome. */
  end: { from: ['active'], to: 'wrap_up', set: 'ended_at = $4' },
  /** The outcome is recorded. */
  complete: {
    from: ['active', 'wrap_up'],
    to: 'completed',
    set: 'ended_at = COALESCE(ended_at, $4), completed_at = $4',
  },
  /** The caller left before anyone answered. */
  abandon: {
    from: ['queued', 'offered'],
    to: 'abandoned',
    set: 'assigned_worker_id = NULL, abandoned_at = $4',
  },
  /** The operator's connection was lost past the reconnect grace: the contact goes back in line. */
  reclaim: { from: ['active'], to: 'queued', set: 'assigned_worker_id = NULL' },
  /**
   * Its operator transfers it (docs/conversations.md): back in line, in its original place (queued_at kept), for the
   * target only — an operator ($5), a unit's pool ($6) or the station's supervisors ($7) — until someone accepts it.
   * A continuity reservation no longer applies.
   */
  transfer: {
    from: ['active'],
    to: 'queued',
    set: `assigned_worker_id = NULL, preferred_worker_id = NULL, preferred_until = NULL,
          transfer_worker_id = $5, transfer_unit_id = $6, transfer_supervisor = $7`,
  },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof ContactTransitions;

export function canTransition(name: TransitionName, from: ContactStatus): boolean {
  return (ContactTransitions[name].from as readonly ContactStatus[]).includes(from);
}

/**
 * The states of a contact its operator has accepted (`accept` and after): they hold or held the conversation. An
 * `offered` contact is only ringing.
 */
export const ACCEPTED_STATUSES: readonly ContactStatus[] = ['active', 'wrap_up', 'completed'];

/** Higher goes first in every waiting line. */
export const PRIORITY: Record<RiskLevel, number> = { normal: 0, high: 1, critical: 2 };
