import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The request id that follows one piece of work across processes: set from the HTTP request (X-Request-Id when it is
 * sane, generated otherwise), carried in the routing job it triggers (`requestId` in the job's data) and set again
 * while the router runs that job. Every log line written meanwhile carries it (KapokLoggingModule's mixin), so one
 * contact can be followed from its intake to the offer on the operator's socket (docs/operations.md, "Logs").
 */
interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** What X-Request-Id may be to be taken as it is: short, printable, no spaces (anything else is replaced). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The given id when it is sane, a new one otherwise. */
export function requestIdFrom(given: unknown): string {
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Runs fn with this request id (undefined: fn runs outside any request). */
export function withRequestId<T>(requestId: string | undefined, fn: () => T): T {
  return requestId && SANE_REQUEST_ID.test(requestId) ? storage.run({ requestId }, fn) : fn();
}

/** The request id of the work running now, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
