import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { Clock } from '@kapok/common';
import { RedisClient } from '@kapok/realtime';
import { LIMITER_REDIS_TIMEOUT_MS, bounded } from './bounded';
import { LoginAttemptRepository, LoginRefusedBy } from './login-attempt.repository';

/** Failed sign-ins counted per window: per account name, and per client address (higher: one office NAT). */
export const LOGIN_LIMITS = {
  windowSeconds: 60,
  perAccount: 5,
  perAddress: 20,
} as const;

/** Where a sign-in attempt comes from and which account it names (the password never reaches this class). */
export interface LoginAttemptOrigin {
  /** The account name as sent; undefined when the body has none (the attempt still counts for the address). */
  username?: string;
  ip: string;
  userAgent?: string | null;
}

/** An attempt let through: its reservation is settled by succeeded, failed or voided. */
export interface LoginTicket {
  origin: LoginAttemptOrigin;
  accountKey?: string;
  addressKey: string;
}

export type LoginAdmission =
  { ok: true; ticket: LoginTicket } | { ok: false; retryAfterSeconds: number; by: LoginRefusedBy };

// KEYS: the address key, then the account key if any. ARGV: window ms, address limit, account limit, the key that
// notes a refusal (so one row per account, address and window is audited, not one per hammered request).
// When a key already counts its limit the attempt is refused and nothing is counted; otherwise each key counts it
// now, before the password is checked, so parallel guesses cannot all slip in under the limit.
const ADMIT = `
local window = tonumber(ARGV[1])
local wait = 0
local by = 0
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= tonumber(ARGV[i + 1]) then
    local left = redis.call('PTTL', key)
    if left < 0 then left = window end
    if left > wait then wait = left end
    by = by + i
  end
end
if by > 0 then
  local noted = redis.call('SET', ARGV[4], '1', 'NX', 'PX', wait)
  return { 0, wait, by, noted and 1 or 0 }
end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, window) end
end
return { 1, 0, 0, 0 }
`;

// KEYS: the address key, then the account key if any. ARGV: 'reset' (a success: the account starts afresh) or
// 'void' (no password was checked: the attempt is taken back). The address never gets a success back beyond its
// own attempt, so signing in to one's own account cannot wipe the failures of others from the same address.
const SETTLE = `
for i, key in ipairs(KEYS) do
  if i == 2 and ARGV[1] == 'reset' then
    redis.call('DEL', key)
  elseif tonumber(redis.call('GET', key) or '0') > 0 then
    redis.call('DECR', key)
  end
end
return 1
`;

const hash = (v: string) => createHash('sha256').update(v).digest('hex').slice(0, 32);

/**
 * Login throttling, shared by every gateway through Redis: at most LOGIN_LIMITS.perAccount failed sign-ins per
 * account name and LOGIN_LIMITS.perAddress per client address in a window; the next attempt is refused (429 with
 * Retry-After) before any password is checked, so guessing costs no argon2 hash either. A success resets its
 * account's count (not the address's). Failed and refused attempts are written to login_attempts; passwords never
 * reach this class. Unknown account names are counted like real ones, so a refusal says nothing about existence.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);

  constructor(
    private readonly redis: RedisClient,
    private readonly attempts: LoginAttemptRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Counts the attempt against its account and address, or refuses it (and audits the refusal). Rejects when
   * Redis does not answer within LIMITER_REDIS_TIMEOUT_MS (the caller decides: LoginThrottleInterceptor fails open).
   */
  async admit(origin: LoginAttemptOrigin): Promise<LoginAdmission> {
    const username = origin.username?.trim().toLowerCase();
    const addressKey = `${this.redis.prefix}:login-throttle:address:${normalizeIp(origin.ip) || 'unknown'}`;
    const accountKey = username ? `${this.redis.prefix}:login-throttle:account:${hash(username)}` : undefined;
    const keys = accountKey ? [addressKey, accountKey] : [addressKey];
    const noteKey = `${this.redis.prefix}:login-throttle:refused:${hash(`${username ?? ''}\n${addressKey}`)}`;
    const [admitted, waitMs, by, noted] = (await bounded(
      this.redis.client.eval(
        ADMIT,
        keys.length,
        ...keys,
        LOGIN_LIMITS.windowSeconds * 1000,
        LOGIN_LIMITS.perAddress,
        LOGIN_LIMITS.perAccount,
        noteKey,
      ),
      LIMITER_REDIS_TIMEOUT_MS,
      'login throttle',
    )) as [number, number, number, number];
    if (admitted === 1) return { ok: true, ticket: { origin, accountKey, addressKey } };
    const refusedBy: LoginRefusedBy = by === 3 ? 'both' : by === 2 ? 'account' : 'address';
    if (noted === 1) {
      // a refusal stands even if its audit row cannot be written
      await this.audit(origin, 'refused', refusedBy).catch((err: Error) => {
        this.logger.warn(`refused sign-in not audited: ${err.message}`);
      });
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), by: refusedBy };
  }

  /** The password was right: the account's failures are forgotten; the address gets this attempt back. */
  async succeeded(ticket: LoginTicket): Promise<void> {
    await this.settle(ticket, 'reset');
  }

  /** Wrong username or password: the attempt stays counted, and is audited. */
  async failed(ticket: LoginTicket): Promise<void> {
    await this.audit(ticket.origin, 'failed');
  }

  /** No password was checked (a malformed body, a server error): the attempt is taken back. */
  async voided(ticket: LoginTicket): Promise<void> {
    await this.settle(ticket, 'void');
  }

  private async settle(ticket: LoginTicket, how: 'reset' | 'void'): Promise<void> {
    const keys = ticket.accountKey ? [ticket.addressKey, ticket.accountKey] : [ticket.addressKey];
    await bounded(
      this.redis.client.eval(SETTLE, keys.length, ...keys, how),
      LIMITER_REDIS_TIMEOUT_MS,
      'login throttle',
    );
  }

  private audit(origin: LoginAttemptOrigin, outcome: 'failed' | 'refused', refusedBy?: LoginRefusedBy): Promise<void> {
    return this.attempts.record({
      at: this.clock.now(),
      username: origin.username ?? '',
      ip: origin.ip,
      userAgent: origin.userAgent ?? null,
      outcome,
      refusedBy,
    });
  }
}
