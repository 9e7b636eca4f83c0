import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '@kapok/config';
import { redisOptions } from '@kapok/queue';

/**
 * How long a counted publish (`receivers`) waits for Redis. With Redis unreachable the client queues the command
 * until it is back; past this wait the event counts as received by nobody (it may still go out later, in order with
 * whatever follows it on the same connection).
 */
export const PUBLISH_WAIT_MS = 2000;

/** The application's own Redis connection (socket.io emitter, health checks). BullMQ keeps its own. */
@Injectable()
export class RedisClient implements OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;
  /** While `receivers` runs its emit: the publishes it makes, each answering how many subscribers got it. */
  private counted?: Promise<number>[];

  constructor(config: AppConfig) {
    this.client = new Redis({ ...redisOptions(config.get('REDIS_URL')), lazyConnect: false });
    this.client.on('error', () => undefined); // reconnects by itself; health reports it
    this.prefix = config.get('REDIS_PREFIX');
  }

  /**
   * What the socket.io emitters publish through. Emits are at most once by design, so a publish that fails (Redis
   * unreachable, or the process shutting down with a job still finishing) is dropped instead of becoming an
   * unhandled rejection, and answers 0 receivers; everything emitted is also state the client can fetch.
   */
  readonly publisher = {
    publish: (channel: string, message: string | Buffer): Promise<number> => {
      const sent = this.client.publish(channel, message).catch(() => 0);
      this.counted?.push(sent);
      return sent;
    },
  };

  /**
   * Runs `emit` (which emits through `publisher`: the socket.io emitter publishes synchronously, inside the call)
   * and answers how many subscribers received what it published. Every gateway's socket.io adapter subscribes to
   * every room's channel, so this is the number of gateways listening at that moment: 0 when none was (Redis just
   * restarted and no gateway has subscribed again yet), when the publish failed, or when Redis did not answer within
   * PUBLISH_WAIT_MS.
   */
  async receivers(emit: () => void): Promise<number> {
    const sent: Promise<number>[] = [];
    this.counted = sent;
    try {
      emit();
    } finally {
      this.counted = undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.all(sent).then((counts) => counts.reduce((a, b) => a + b, 0)),
        new Promise<number>((resolve) => {
          // (after the poll phase: a reply that arrived while the process was too busy to read it still counts)
          timer = setTimeout(() => setImmediate(() => resolve(0)), PUBLISH_WAIT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}
