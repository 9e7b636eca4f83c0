/**
 * The operator socket (`/agent`) event reference. docs/socket-events.md is the written copy of this file.
 */
export const AGENT_NAMESPACE = '/agent';
export const agentRoom = (userId: string) => `agent:${userId}`;

export type Presence = 'available' | 'away' | 'offline';

export interface OfferedContactView {
  id: string;
  hotlineNumber: string;
  channel: string;
  callerNumberMasked: string | null;
  riskLevel: string;
  topics: string[];
  language: string | null;
  queuedAt: string;
}

export interface ContactOfferEvent {
  offerId: string;
  contact: OfferedContactView;
  expiresAt: string;
}

export interface OfferRevokedEvent {
  offerId: string;
  contactId: string;
  reason: 'timeout' | 'abandoned' | 'taken' | 'declined' | 'disconnected' | 'away';
}

/** Everything the operator needs after a (re)connect, in one event. */
export interface AgentStateEvent {
  presence: Presence;
  connected: boolean;
  offer: ContactOfferEvent | null;
  contact: Record<string, unknown> | null;
}

export interface ContactUpdatedEvent {
  contact: Record<string, unknown>;
}

/** The server changed the operator's presence (e.g. set away after missed offers). */
export interface AgentPresenceEvent {
  presence: Presence;
  reason: 'missed_offers' | 'reconnect_grace_expired';
  missedInRow?: number;
}

export interface AgentServerEvents {
  'agent:presence': (e: AgentPresenceEvent) => void;
  'contact:offer': (e: ContactOfferEvent) => void;
  'offer:revoked': (e: OfferRevokedEvent) => void;
  'agent:state': (e: AgentStateEvent) => void;
  'contact:updated': (e: ContactUpdatedEvent) => void;
}
