import { Injectable } from '@nestjs/common';
import { RedisClient } from './redis-client';

/** A router writes its heartbeat this often while its worker consumes the routing queue. */
export const ROUTER_HEARTBEAT_MS = 5_000;
/** A router whose last heartbeat is older than this is not counted as consuming. */
export const ROUTER_ALIVE_MS = 15_000;
/** Heartbeats older than this are removed (routers that died without saying so). */
const FORGET_MS = 10 * 60_000;

/** Redis's own clock in ms: every process compares heartbeats on the same clock, whatever theirs says. */
const NOW_MS = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
const BEAT = `${NOW_MS}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return now`;
const ALIVE = `${NOW_MS}
return redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[1])), '+inf')`;

/**
 * Which routers are consuming the routing queue: each router writes a heartbeat every few seconds into a Redis
 * sorted set (`<REDIS_PREFIX>:routers`, member = the router's id, score = Redis TIME in ms) and removes it when it
 * stops; a gateway's readiness counts the ones heard from within ROUTER_ALIVE_MS. Through the application's own
 * Redis connection (RedisClient), the one the health checks use.
 */
@Injectable()
export class RouterHeartbeats {
  readonly key: string;

  constructor(private readonly redis: RedisClient) {
    this.key = `${redis.prefix}:routers`;
  }

  /** Writes this router's heartbeat; answers the Redis time it was written at (ms). */
  async beat(routerId: string): Promise<number> {
    return Number(await this.redis.client.eval(BEAT, 1, this.key, routerId, FORGET_MS));
  }

  /** This router stopped consuming: not counted any more, at once. */
  async retire(routerId: string): Promise<void> {
    await this.redis.client.zrem(this.key, routerId);
  }

  /** Routers heard from within ROUTER_ALIVE_MS. */
  async alive(): Promise<number> {
    return Number(await this.redis.client.eval(ALIVE, 1, this.key, ROUTER_ALIVE_MS));
  }
}
