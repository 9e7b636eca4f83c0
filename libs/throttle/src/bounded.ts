/**
 * Waits for a Redis answer at most `ms`: the application's connection queues commands while Redis is unreachable
 * (for ever), and a limiter must never hold up a sign-in or an intake for that long.
 */
export function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** How long a limiter waits for Redis before letting the request through unlimited. */
export const LIMITER_REDIS_TIMEOUT_MS = 1000;
