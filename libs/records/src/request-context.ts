import { Injectable, NestMiddleware } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { currentRequestId, requestIdFrom } from '@kapok/common';

/** Where a request came from, for the audit log ("who, when, what, from where"). */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

const storage = new AsyncLocalStorage<RequestMeta>();
const NONE: RequestMeta = { ip: null, userAgent: null, requestId: null };

/** The current HTTP request's origin, or nulls outside a request (jobs, tests calling use-cases directly). */
export const RequestContext = {
  current(): RequestMeta {
    return storage.getStore() ?? NONE;
  },
  run<T>(meta: RequestMeta, fn: () => T): T {
    return storage.run(meta, fn);
  },
};

interface HttpRequestLike {
  ip?: string;
  socket?: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
}
const header = (req: HttpRequestLike, name: string) => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
};

/**
 * Applied to every route by RecordsModule: the rest of the request runs with its origin in an AsyncLocalStorage,
 * so the audit rows written by any use-case (also ones called from other libraries' controllers) say where the
 * request came from. The client address is Express's `req.ip` (set `trust proxy` behind a proxy).
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: HttpRequestLike, _res: unknown, next: () => void): void {
    const meta: RequestMeta = {
      ip: (req.ip ?? req.socket?.remoteAddress ?? null)?.slice(0, 100) ?? null,
      userAgent: header(req, 'user-agent')?.slice(0, 500) ?? null,
      // the request's own id (the gateway's request-id middleware, which the log lines carry too)
      requestId: currentRequestId() ?? requestIdFrom(header(req, 'x-request-id')),
    };
    storage.run(meta, next);
  }
}
