/**
 * Telling "the database is unreachable right now" apart from everything else, so that callers get 503 with
 * Retry-After (a telephony gateway retries) instead of 500, and so that Kapok retries by itself where nothing can
 * have been written yet.
 */

/** SQLSTATE codes of a lost or refused connection: class 08 (connection exception) and the shutdown codes. */
const SHUTDOWN_CODES = new Set([
  '57P01', // admin_shutdown: the server is stopping (pg_ctl stop/restart -m fast) or the backend was terminated
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
]);

/** Socket-level failures reported by node (the driver passes them through). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Messages of node-postgres for a connection that ended or never came (it gives these no code). */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error and is not queryable/,
  /Client was closed and is not queryable/,
];

function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : '';
}

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `err` says the database could not be reached or dropped the connection (not a bad statement). */
export function isDatabaseUnavailable(err: unknown): boolean {
  // not `instanceof Error`: errors made by node's own modules come from another realm under jest's sandbox
  if (typeof err !== 'object' || err === null) return false;
  const code = codeOf(err);
  if (code && (SHUTDOWN_CODES.has(code) || code.startsWith('08') || SOCKET_CODES.has(code))) return true;
  const cause = (err as { driverError?: unknown; cause?: unknown }).driverError ?? (err as { cause?: unknown }).cause;
  const messages = [messageOf(err), messageOf(cause)];
  if (messages.some((m) => DRIVER_MESSAGES.some((re) => re.test(m)))) return true;
  return cause !== undefined && cause !== err && isDatabaseUnavailable(cause);
}

/** True for PostgreSQL's unique_violation: two writers of one key at once, and the unique index decided. */
export function isUniqueViolation(err: unknown): boolean {
  return codeOf(err) === '23505';
}

/** True for PostgreSQL's serialization_failure: a REPEATABLE READ transaction met a concurrent change; try again. */
export function isSerializationFailure(err: unknown): boolean {
  return codeOf(err) === '40001';
}
