/**
 * A conversation's life, in one place: `open` from the chat session on (waiting, then talking), `ended` for good.
 * Each change is one of these named transitions, applied by ConversationRepository.transition as a conditional
 * update (`… WHERE state = ANY(from)`): a transition that finds the conversation in another state changes nothing.
 * The contact's own life (queued, active, wrap_up …) is the contact state machine's (libs/contacts).
 */
import type { ConversationEndReason, ConversationState } from '@kapok/contracts';

export interface ConversationTransition {
  from: readonly ConversationState[];
  to: ConversationState;
}

export const ConversationTransitions = {
  /** The caller ended it, the operator ended it (the contact's wrap-up), it was idle, or the caller left waiting. */
  end: { from: ['open'], to: 'ended' },
} as const satisfies Record<string, ConversationTransition>;

export type ConversationTransitionName = keyof typeof ConversationTransitions;

/** Why an ended conversation ended, as the caller is told (`conversation:ended`). */
export type { ConversationEndReason };
