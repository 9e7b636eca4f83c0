import { Injectable } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import {
  AGENT_NAMESPACE,
  AgentPresenceEvent,
  AgentServerEvents,
  ContactOfferEvent,
  ContactUpdatedEvent,
  OfferRevokedEvent,
  agentRoom,
} from './agent-events';
import { RedisClient } from './redis-client';

/**
 * Emits to operators through Redis (socket.io redis emitter), so an event reaches the operator whichever gateway
 * process holds their socket, and the router process can emit without holding sockets at all.
 * Delivery is at most once: everything sent here is also state the operator can fetch (`agent:state`).
 */
@Injectable()
export class AgentNotifier {
  private readonly agents: Emitter<AgentServerEvents>;

  constructor(redis: RedisClient) {
    this.agents = new Emitter<AgentServerEvents>(redis.publisher, { key: `${redis.prefix}:socket.io` }).of(
      AGENT_NAMESPACE,
    );
  }

  offer(userId: string, e: ContactOfferEvent): void {
    this.agents.to(agentRoom(userId)).emit('contact:offer', e);
  }

  revoked(userId: string, e: OfferRevokedEvent): void {
    this.agents.to(agentRoom(userId)).emit('offer:revoked', e);
  }

  presenceChanged(userId: string, e: AgentPresenceEvent): void {
    this.agents.to(agentRoom(userId)).emit('agent:presence', e);
  }

  contactUpdated(userId: string, e: ContactUpdatedEvent): void {
    this.agents.to(agentRoom(userId)).emit('contact:updated', e);
  }
}
