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
  DEMO: bool.optional(),
  OFFER_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(20),
  RECONNECT_GRACE_SECONDS: z.coerce.number().positive().max(3600).default(60),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().positive().max(3600).default(5),
  ROUTER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/).default('64kb'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
});

export type KapokConfig = z.infer<typeof configSchema> & { JWT_SECRET: string; CALLER_NUMBER_KEY: string };

/** Validates the environment and fails fast with the names of the bad variables. */
export function validateConfig(env: Record<string, unknown>): KapokConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
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
  return cfg as KapokConfig;
}

/** Nest logger levels up to and including LOG_LEVEL. */
export function logLevels(level: KapokConfig['LOG_LEVEL']) {
  const all = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
  return all.slice(0, all.indexOf(level) + 1);
}
