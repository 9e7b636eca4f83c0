import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every setting Kapok reads from the environment, with its default. Documented in README.md. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
  /** Prefix of every Redis key (BullMQ queues and socket.io channels), so several deployments can share a Redis. */
  REDIS_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('kapok'),
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  JWT_TTL_SECONDS: z.coerce.number().int().positive().default(12 * 3600),
  /** Key of the keyed hash (HMAC-SHA256) that recognises a caller's number without storing it. */
  CALLER_NUMBER_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** AES-256-GCM key that encrypts the caller's number at rest: 32 bytes, as 64 hex characters or base64. */
  CALLER_NUMBER_ENCRYPTION_KEY: z
    .string()
    .refine((v) => decodeKey32(v) !== undefined, 'must be 32 bytes, as 64 hex characters or base64')
    .optional(),
  /** A material-aid request not delivered (nor cancelled) this long after it was made is overdue. */
  AID_OVERDUE_HOURS: z.coerce.number().positive().max(24 * 365).default(48),
  DEMO: bool.optional(),
  OFFER_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(20),
  /** Waits after which a contact is also offered to the district, the region, the whole city. */
  OVERFLOW_DISTRICT_SECONDS: z.coerce.number().min(0).max(86400).default(30),
  OVERFLOW_REGION_SECONDS: z.coerce.number().min(0).max(86400).default(60),
  OVERFLOW_CITY_SECONDS: z.coerce.number().min(0).max(86400).default(90),
  /** Wait after which a contact's language/topic match is no longer required. */
  SKILL_RELAX_SECONDS: z.coerce.number().min(0).max(86400).default(20),
  /** A repeat caller (same number within CONTINUITY_DAYS) is reserved this long for their previous operator. */
  CONTINUITY_WINDOW_SECONDS: z.coerce.number().min(0).max(3600).default(15),
  CONTINUITY_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  /** Chats one operator can hold at once (a phone contact is always exclusive). */
  CHAT_CAPACITY: z.coerce.number().int().min(1).max(20).default(3),
  /** Offers in a row missed by timeout after which the operator is set away. */
  MISSED_OFFERS_TO_AWAY: z.coerce.number().int().min(1).max(100).default(2),
  /** How often coverage gaps (rostered but nobody signed in; nobody rostered in a district) are checked. */
  COVERAGE_CHECK_SECONDS: z.coerce.number().positive().max(3600).default(30),
  RECONNECT_GRACE_SECONDS: z.coerce.number().positive().max(3600).default(60),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().positive().max(3600).default(5),
  ROUTER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/).default('64kb'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
});

export type KapokConfig = z.infer<typeof configSchema> & {
  JWT_SECRET: string;
  CALLER_NUMBER_KEY: string;
  CALLER_NUMBER_ENCRYPTION_KEY: string;
};

/** A 32-byte key given as 64 hex characters or as base64; undefined when it is neither. */
export function decodeKey32(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

/** Validates the environment and fails fast with the names of the bad variables. */
export function validateConfig(env: Record<string, unknown>): KapokConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  if (!(cfg.OVERFLOW_DISTRICT_SECONDS <= cfg.OVERFLOW_REGION_SECONDS && cfg.OVERFLOW_REGION_SECONDS <= cfg.OVERFLOW_CITY_SECONDS)) {
    throw new Error(
      'Invalid configuration:\n  OVERFLOW_DISTRICT_SECONDS <= OVERFLOW_REGION_SECONDS <= OVERFLOW_CITY_SECONDS must hold',
    );
  }
  if (!cfg.JWT_SECRET) {
    if (cfg.NODE_ENV === 'production') {
      throw new Error('Invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production');
    }
    cfg.JWT_SECRET = 'kapok-development-secret-not-for-production';
  }
  if (!cfg.CALLER_NUMBER_KEY) {
    if (cfg.NODE_ENV === 'production') {
      throw new Error('Invalid configuration:\n  CALLER_NUMBER_KEY: required when NODE_ENV=production');
    }
    cfg.CALLER_NUMBER_KEY = 'kapok-development-caller-key';
  }
  if (!cfg.CALLER_NUMBER_ENCRYPTION_KEY) {
    if (cfg.NODE_ENV === 'production') {
      throw new Error('Invalid configuration:\n  CALLER_NUMBER_ENCRYPTION_KEY: required when NODE_ENV=production');
    }
    cfg.CALLER_NUMBER_ENCRYPTION_KEY = '6b61706f6b2d646576656c6f706d656e742d6f6e6c792d6e6f742d7365637265';
  }
  return cfg as KapokConfig;
}

/** Nest logger levels up to and including LOG_LEVEL. */
export function logLevels(level: KapokConfig['LOG_LEVEL']) {
  const all = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
  return all.slice(0, all.indexOf(level) + 1);
}
