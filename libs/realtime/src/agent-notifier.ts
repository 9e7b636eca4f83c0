import { Injectable, Logger } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { AGENT_NAMESPACE, AgentNotifierEvents } from '@kapok/contracts';
import { agentRoom } from './agent-events';
import { RedisClient } from './redis-client';

/** The payload of an event emitted to operators, by its name (@kapok/contracts). */
type Payload<E extends keyof AgentNotifierEvents> = Parameters<AgentNotifierEvents[E]>[0];

/**
 * Emits to operators through Redis (socket.io redis emitter), so an event reaches the operator whichever gateway
 * process holds their socket, and the router process can emit without holding sockets at all.
 * Delivery is at most once: everything sent here is also state the operator can fetch (`agent:state`).
 */
@Injectable()
export class AgentNotifier {
  private readonly logger = new Logger(AgentNotifier.name);
  private readonly agents: Emitter<AgentNotifierEvents>;

  constructor(private readonly redis: RedisClient) {
    this.agents = new Emitter<AgentNotifierEvents>(redis.publisher, { key: `${redis.prefix}:socket.io` }).of(
      AGENT_NAMESPACE,
    );
  }

  /**
   * Sends the offer; answers whether it reached a gateway (Redis counted a subscriber). False means nobody can have
   * received it (Redis just came back and no gateway has subscribed again yet, or Redis is unreachable): routing
   * withdraws such an offer at once rather than let it ring nowhere. True means every gateway listening got it; one
   * whose subscription was down meanwhile resends its sockets their state when it is back (`agent:state`).
   */
  async offer(userId: string, e: Payload<'contact:offer'>): Promise<boolean> {
    const receivers = await this.redis.receivers(() => this.agents.to(agentRoom(userId)).emit('contact:offer', e));
    // ids only (the payload carries the caller's masked number and the contact's subject)
    this.logger.log(
      `contact:offer ${e.offerId} of contact ${e.contact.id} emitted to operator ${userId}: ${receivers} gateway(s)`,
    );
    return receivers > 0;
  }

  revoked(userId: string, e: Payload<'offer:revoked'>): void {
    this.agents.to(agentRoom(userId)).emit('offer:revoked', e);
  }

  presenceChanged(userId: string, e: Payload<'agent:presence'>): void {
    this.agents.to(agentRoom(userId)).emit('agent:presence', e);
  }

  contactUpdated(userId: string, e: Payload<'contact:updated'>): void {
    this.agents.to(agentRoom(userId)).emit('contact:updated', e);
  }

  /** A conversation event (`message`, `typing`, `message:state`, `conversation:ended`) to the operator holding it. */
  conversation<E extends 'message' | 'typing' | 'message:state' | 'conversation:ended'>(
    userId: string,
    event: E,
    e: Payload<E>,
  ): void {
    (this.agents.to(agentRoom(userId)).emit as (ev: string, p: unknown) => boolean)(event, e);
  }
}
