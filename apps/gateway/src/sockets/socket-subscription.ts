import { Injectable, Logger } from '@nestjs/common';

/**
 * This gateway's subscription to Redis, through which every room emit reaches its sockets (RedisIoAdapter). When
 * it was interrupted (Redis restarted, the connection dropped) and is back, whatever was emitted meanwhile never
 * reached this gateway's sockets: delivery is at most once. The socket gateways then send their sockets their
 * whole state again (`agent:state`, a fresh `queue:snapshot`), so an offer made meanwhile rings after all.
 */
@Injectable()
export class SocketSubscription {
  private readonly logger = new Logger(SocketSubscription.name);
  private readonly listeners = new Set<() => Promise<void>>();

  /** Calls `listener` each time the subscription is back after an interruption. */
  onResumed(listener: () => Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The adapter's subscriber is subscribed again. */
  resumed(): void {
    this.logger.warn('Redis subscription back after an interruption: sockets are sent their state again');
    for (const listener of this.listeners) {
      listener().catch((err) => this.logger.error(`resync failed: ${(err as Error).message}`));
    }
  }
}
