import type { NextFunction, Request, Response } from 'express';
import { requestIdFrom, withRequestId } from '@kapok/common';

/**
 * Every request gets an id: the caller's X-Request-Id when it is sane (a balancer's or a telephony gateway's), a new
 * one otherwise. It is answered in X-Request-Id, set as `req.id` (pino-http logs it), and everything the request does
 * runs with it (request-context.ts): its log lines and the routing jobs it enqueues carry it.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const id = requestIdFrom(req.headers['x-request-id']);
  (req as Request & { id?: string }).id = id;
  res.setHeader('X-Request-Id', id);
  withRequestId(id, next);
}
