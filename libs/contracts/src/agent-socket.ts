import type { ContactView, OfferedContactView } from './contacts';
import type { AgentConversationClientEvents, AgentConversationEvents } from './conversations';
import type { OfferRevokeReason, Presence } from './enums';
import type { AckError, AckOf, SessionServerToClientEvents } from './socket';

/** The operator socket. Reference: docs/socket-events.md ("Operator socket reference"). */
export const AGENT_NAMESPACE = '/agent';

// ------------------------------------------------------------------------------------------ server → client

/** `contact:offer`: a contact is reserved for this operator until `expiresAt`. */
export interface ContactOfferEvent {
  offerId: string;
  contact: OfferedContactView;
  expiresAt: string;
}

/** `offer:revoked`: the offer is gone (not accepted in time, the caller hung up, the operator went away …). */
export interface OfferRevokedEvent {
  offerId: string;
  contactId: string;
  reason: OfferRevokeReason;
  /** After a timeout: what happens to the contact now (who else may take it). */
  next?: OfferLetGoNext;
}

/**
 * What happens to a contact the operator let go (declined, or its offer ran out), for the console to say truthfully:
 * it rings the other operators on duty in its widest pool (the city of its station) at once; with nobody else on
 * duty it comes back to this operator.
 */
export interface OfferLetGoNext {
  /** Other operators on duty (available, signed in) in the city of the contact's station, busy or not. */
  othersOnDuty: number;
  /** Contacts of that city not answered yet (waiting or ringing), this one included. */
  waiting: number;
}

/**
 * `agent:state`: everything the operator needs after a (re)connect, in one event; also sent again when the
 * gateway's Redis subscription was interrupted (events emitted meanwhile never came).
 */
export interface AgentStateEvent {
  presence: Presence;
  connected: boolean;
  offer: ContactOfferEvent | null;
  /** The first of `contacts` (the one contact of a phone call), or null. */
  contact: ContactView | null;
  /** Every contact the operator holds (active or wrap-up; up to their chat capacity of chats), first answered first. */
  contacts: ContactView[];
}

/** `contact:updated`: the operator's contact changed (ended by the gateway → `wrap_up`; completed). */
export interface ContactUpdatedEvent {
  contact: ContactView;
}

/** `agent:presence`: the server changed the operator's presence (e.g. set away after missed offers). */
export interface AgentPresenceEvent {
  presence: Presence;
  reason: 'missed_offers' | 'reconnect_grace_expired';
  missedInRow?: number;
}

/** Events sent to the operator through Redis (their room `agent:<userId>`), from any process. */
export interface AgentNotifierEvents extends AgentConversationEvents {
  'contact:offer': (e: ContactOfferEvent) => void;
  'offer:revoked': (e: OfferRevokedEvent) => void;
  'agent:presence': (e: AgentPresenceEvent) => void;
  'contact:updated': (e: ContactUpdatedEvent) => void;
}

export interface AgentServerToClientEvents extends AgentNotifierEvents, SessionServerToClientEvents {
  /** On every connect, and after its Redis subscription was interrupted, from the gateway holding the socket. */
  'agent:state': (e: AgentStateEvent) => void;
}

// ------------------------------------------------------------------------------------------ client → server

export interface PresenceSetPayload {
  status: Presence;
}

export interface OfferPayload {
  offerId: string;
}

export type PresenceSetAck = { ok: true; status: Presence; state: AgentStateEvent } | AckError;
/** Errors: offer_not_found, offer_expired, offer_declined, offer_revoked, offer_accepted, … (docs/socket-events.md). */
export type OfferAcceptAck = { ok: true; contact: ContactView } | AckError;
export type OfferDeclineAck = { ok: true; next?: OfferLetGoNext } | AckError;
export type StateGetAck = { ok: true; state: AgentStateEvent } | AckError;

/** Every client → server event is acknowledged; over the socket's rate the ack is `rate_limited: …`. */
export interface AgentClientToServerEvents extends AgentConversationClientEvents {
  'presence:set': (payload: PresenceSetPayload, ack: (res: PresenceSetAck) => void) => void;
  'offer:accept': (payload: OfferPayload, ack: (res: OfferAcceptAck) => void) => void;
  'offer:decline': (payload: OfferPayload, ack: (res: OfferDeclineAck) => void) => void;
  'state:get': (ack: (res: StateGetAck) => void) => void;
}

/** The acknowledgement of a client → server event of `/agent`. */
export type AgentAck<E extends keyof AgentClientToServerEvents> = AckOf<AgentClientToServerEvents[E]>;
