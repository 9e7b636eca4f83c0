import { Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Clock } from '@kapok/common';
import { RedisClient } from '@kapok/realtime';
import { LIMITER_REDIS_TIMEOUT_MS, bounded } from './bounded';

/** What @nestjs/throttler's ThrottlerStorage.increment returns (times in whole seconds). */
export interface ThrottleRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

// KEYS: hits, block. ARGV: ttl ms, limit, block ms. A fixed window of `ttl` from its first hit; the hit that goes
// over `limit` blocks the key for `block` ms (or, with block <= 0, until the window ends); hits while blocked are
// not counted, so a client hammering a blocked key does not stretch its own block.
const INCREMENT = `
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local block = tonumber(ARGV[3])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or limit + 1), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blocked }
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  left = ttl
end
if hits > limit then
  if block <= 0 then block = left end
  redis.call('SET', KEYS[2], '1', 'PX', block)
  return { hits, left, 1, block }
end
return { hits, left, 0, 0 }
`;

/**
 * @nestjs/throttler's storage in Redis (our own connection, RedisClient), so every gateway process shares the
 * counts: one Lua script per hit, atomic. Keys live under `<REDIS_PREFIX>:throttle:` and expire by themselves.
 * (No maintained Redis storage package declares Nest 12 support; this is the interface's whole contract.)
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private lastWarning = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly clock: Clock,
  ) {}

  /**
   * Counts one hit. When Redis does not answer (within LIMITER_REDIS_TIMEOUT_MS) the hit is let through: intake
   * must go on while Redis is down (the contact is in Postgres first), so the limit fails open, with a warning.
   */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottleRecord> {
    const base = `${this.redis.prefix}:throttle:${throttlerName}:${key}`;
    let answer: [number, number, number, number];
    try {
      answer = (await bounded(
        this.redis.client.eval(
          INCREMENT,
          2,
          `${base}:hits`,
          `${base}:block`,
          Math.max(1, Math.ceil(ttl)),
          limit,
          Math.ceil(blockDuration),
        ),
        LIMITER_REDIS_TIMEOUT_MS,
        'rate limit',
      )) as [number, number, number, number];
    } catch (err) {
      this.warn(err as Error);
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    }
    const [hits, leftMs, blocked, blockMs] = answer;
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(leftMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? Math.max(1, Math.ceil(blockMs / 1000)) : 0,
    };
  }

  /** At most one warning a minute. */
  private warn(err: Error): void {
    const now = this.clock.now().getTime();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    this.logger.warn(`rate limits not applied: ${err.message}`);
  }
}
