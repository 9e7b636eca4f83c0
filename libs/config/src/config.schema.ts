import { z } from 'zod';
import { HOW_TO_MAKE_A_KEY, SECRET_NAMES, keyProblem } from './secrets';
import { wechatAccountsSchema, wechatApiBaseUrlSchema } from './wechat-config';

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
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/)
    .default('kapok'),
  /** Signing key of access tokens. No default: see SECRET_NAMES and README "Secrets". */
  JWT_SECRET: z.string().optional(),
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(12 * 3600),
  /** A temporary password (created, reset or imported by an admin) works this long, then an admin must reset it. */
  TEMPORARY_PASSWORD_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(72),
  /** Key of the keyed hash (HMAC-SHA256) that recognises a caller's number without storing it. */
  CALLER_NUMBER_KEY: z.string().optional(),
  /** AES-256-GCM key that encrypts the caller's number at rest: 32 bytes, as 64 hex characters or base64. */
  CALLER_NUMBER_ENCRYPTION_KEY: z.string().optional(),
  /** A material-aid request not delivered (nor cancelled) this long after it was made is overdue. */
  AID_OVERDUE_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(48),
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
  /** Minutes without a message after which a text conversation is closed (station override: chatIdleMinutes). */
  CHAT_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** Days after a conversation ends when its message text is purged (the record is kept). */
  TRANSCRIPT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  /** How often the router closes idle conversations, abandons left ones and purges expired transcripts. */
  CONVERSATION_SWEEP_SECONDS: z.coerce.number().positive().max(3600).default(30),
  /** Chat sessions (`POST /api/chat/sessions`, no sign-in) one client address may start per minute. */
  CHAT_SESSIONS_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(20),
  /** Offers in a row missed by timeout after which the operator is set away. */
  MISSED_OFFERS_TO_AWAY: z.coerce.number().int().min(1).max(100).default(2),
  /**
   * An operator who let a contact go (declined it, let its offer run out) is not offered that contact again for this
   * long: with nobody else to take it, it comes back to them after the pause, not at once.
   */
  LET_GO_PAUSE_SECONDS: z.coerce.number().min(0).max(600).default(10),
  /** How often coverage gaps (rostered but nobody signed in; nobody rostered in a district) are checked. */
  COVERAGE_CHECK_SECONDS: z.coerce.number().positive().max(3600).default(30),
  RECONNECT_GRACE_SECONDS: z.coerce.number().positive().max(3600).default(60),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().positive().max(3600).default(5),
  ROUTER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /**
   * A router holds a lock on each job it runs, renewed every half of this while the job runs (however long); a router
   * that died lets its jobs go when the lock runs out. Short, so a dead router's jobs run again within seconds.
   */
  ROUTER_JOB_LOCK_SECONDS: z.coerce.number().min(1).max(600).default(5),
  /** How often the routers look for jobs whose lock ran out (a dead router's) and queue them again, first in line. */
  ROUTER_STALLED_CHECK_SECONDS: z.coerce.number().min(0.1).max(600).default(1),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/)
    .default('64kb'),
  /** Browser origins (besides the gateway's own) whose pages may open the sockets, comma-separated. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be a comma-separated list of origins like https://host:port'),
      ),
    ),
  /** Proxies whose X-Forwarded-For / -Proto are believed (Express `trust proxy`): false, true, a hop count, or addresses/subnets (loopback,10.0.0.0/8). */
  TRUST_PROXY: z
    .string()
    .regex(/^[\w.:/, -]+$/, 'must be false, true, a hop count or a comma-separated list of addresses/subnets')
    .default('false'),
  /** Intake requests (POST /api/contacts …) one intake key may send per second, averaged over 10 s (bursts allowed). */
  INTAKE_REQUESTS_PER_SECOND: z.coerce.number().int().min(1).max(100000).default(100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /**
   * Bearer token that /metrics (gateway and router) asks for; unset, /metrics answers only requests from this
   * machine (loopback, no proxy header). At least 16 characters (openssl rand -hex 32).
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (openssl rand -hex 32)').optional(),
  /** Port of the router's own HTTP server (/metrics, /health); unset, the router opens no port; 0 picks a free one. */
  ROUTER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /**
   * WeChat Official Accounts whose messages become `wechat` contacts (docs/wechat.md), as a JSON array of
   * `{ appId, token, encodingAesKey?, secret, hotlineNumber }`. Unset: the WeChat adapter is off (its webhook is 404).
   */
  WECHAT_ACCOUNTS: wechatAccountsSchema,
  /** Where WeChat's API is (access token, customer-service messages): https, or http only to this machine. */
  WECHAT_API_BASE_URL: wechatApiBaseUrlSchema,
  /**
   * How often the WeChat adapter's outbox sweep looks for replies it was not told of (a crash between storing and
   * sending) and re-queues deliveries whose job Redis lost. Replies normally go out at once.
   */
  WECHAT_OUTBOX_SWEEP_SECONDS: z.coerce.number().positive().max(3600).default(5),
});

export type KapokConfig = z.infer<typeof configSchema> & {
  JWT_SECRET: string;
  CALLER_NUMBER_KEY: string;
  CALLER_NUMBER_ENCRYPTION_KEY: string;
};

/** What is wrong with the three keys in this environment (one line per problem, naming the variable). */
function keyProblems(env: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const missing = SECRET_NAMES.filter((name) => typeof env[name] !== 'string' || env[name] === '');
  for (const name of missing) problems.push(`  ${name}: required (no default); ${HOW_TO_MAKE_A_KEY}`);
  for (const name of SECRET_NAMES) {
    const value = env[name];
    const problem = typeof value === 'string' && value !== '' ? keyProblem(name, value) : undefined;
    if (problem) problems.push(`  ${name}: ${problem}`);
  }
  if (missing.length) {
    problems.push(
      '  (npm start generates these once and keeps them in .data/secrets.json; a gateway or router started on its' +
        ' own must be given them in the environment: README "Secrets")',
    );
  }
  return problems;
}

/**
 * Validates the environment and fails fast with the names of the bad variables. Never invents a key: the three
 * keys (JWT_SECRET, CALLER_NUMBER_KEY, CALLER_NUMBER_ENCRYPTION_KEY) must be given, strong, and not published.
 */
export function validateConfig(env: Record<string, unknown>): KapokConfig {
  const parsed = configSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
  problems.push(...keyProblems(env));
  if (parsed.success) {
    const cfg = parsed.data;
    if (!(
      cfg.OVERFLOW_DISTRICT_SECONDS <= cfg.OVERFLOW_REGION_SECONDS &&
      cfg.OVERFLOW_REGION_SECONDS <= cfg.OVERFLOW_CITY_SECONDS
    )) {
      problems.push('  OVERFLOW_DISTRICT_SECONDS <= OVERFLOW_REGION_SECONDS <= OVERFLOW_CITY_SECONDS must hold');
    }
    // The demo data has published passwords and a published intake key.
    if (cfg.DEMO && cfg.NODE_ENV === 'production') {
      problems.push('  DEMO: must not be true when NODE_ENV=production (the demo accounts and intake key are public)');
    }
  }
  if (!parsed.success || problems.length) throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
  return parsed.data as KapokConfig;
}

/** Nest logger levels up to and including LOG_LEVEL. */
export function logLevels(level: KapokConfig['LOG_LEVEL']) {
  const all = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
  return all.slice(0, all.indexOf(level) + 1);
}
