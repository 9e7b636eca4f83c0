/**
 * The operator socket (`/agent`). Its events, payloads and acknowledgements are typed in @kapok/contracts
 * (agent-socket.ts), shared with the console; docs/socket-events.md is the written reference. Re-exported here
 * for the libraries that emit them.
 */
export { AGENT_NAMESPACE } from '@kapok/contracts';
export type {
  AgentNotifierEvents,
  AgentPresenceEvent,
  AgentServerToClientEvents,
  AgentStateEvent,
  ContactOfferEvent,
  ContactUpdatedEvent,
  OfferedContactView,
  OfferRevokedEvent,
  Presence,
} from '@kapok/contracts';

/** The room of one operator: all their sockets, on whichever gateway. */
export const agentRoom = (userId: string) => `agent:${userId}`;
