import { ForbiddenException, HttpException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { AuthService, AuthUser } from '@kapok/auth';
import { Clock } from '@kapok/common';
import { AppConfig } from '@kapok/config';
import { RoutingQueue } from '@kapok/queue';
import { RedisClient } from '@kapok/realtime';

/** Where the dashboard is served (under the API prefix: a proxy that forwards /api reaches it). */
export const QUEUE_DASHBOARD_PATH = '/api/admin/queues';
/** The sub-path of the controller that opens the dashboard (QueueDashboardController), left to Nest. */
export const QUEUE_DASHBOARD_SESSION = 'session';
/** The cookie a browser shows the dashboard with (a sealed pass, for this path only). */
export const QUEUE_DASHBOARD_COOKIE = 'kapok_queues';
/** How long a dashboard pass lasts in the browser (it also ends with the admin's sign-in session). */
export const PASS_TTL_SECONDS = 30 * 60;
/** How long the one-time link to open the dashboard in a browser is valid. */
export const TICKET_TTL_SECONDS = 60;

type PassKind = 'pass' | 'ticket';

/**
 * The admin's access token, sealed (AES-256-GCM, with a key derived from JWT_SECRET for this use only) together with
 * its kind and its end: a `pass` lives in the dashboard's cookie, a `ticket` in the one-time link. Neither is an
 * access token: the API never accepts them, the dashboard opens them and checks the token inside on every request
 * (signed out, revoked, deactivated or no longer an admin: refused at once).
 */
@Injectable()
export class QueueDashboardPasses {
  private readonly key: Buffer;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.key = createHmac('sha256', config.get('JWT_SECRET')).update('kapok queue dashboard pass v1').digest();
  }

  seal(kind: PassKind, accessToken: string, ttlSeconds: number): { value: string; expiresAt: Date } {
    const expiresAt = new Date(this.clock.now().getTime() + ttlSeconds * 1000);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const plain = JSON.stringify({ k: kind, t: accessToken, e: expiresAt.getTime() });
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { value: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url'), expiresAt };
  }

  /** The access token sealed in `value`, if it is authentic, of this kind and not past its end. */
  open(kind: PassKind, value: string | undefined): string | undefined {
    if (!value || value.length > 4096) return undefined;
    try {
      const raw = Buffer.from(value, 'base64url');
      if (raw.length < 29) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const { k, t, e } = JSON.parse(plain) as { k?: unknown; t?: unknown; e?: unknown };
      if (k !== kind || typeof t !== 'string' || typeof e !== 'number' || e <= this.clock.now().getTime()) return;
      return t;
    } catch {
      return undefined;
    }
  }
}

/** The value of one cookie of the request (no cookie parser in the gateway: this is the only cookie it reads). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

const bearer = (req: Request): string | undefined => {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
};

/**
 * The BullMQ dashboard (bull-board) of the routing queue, for admins, read-only: it shows the jobs by state, their
 * payloads (ids only), failures and the job schedulers. Read-only because its write actions can silence the line:
 * pausing the queue stops all routing, removing or cleaning delayed jobs drops offer expiries and contacts'
 * timers (the sweep would recover them, seconds late), and a retry is never needed (the sweep does what a failed
 * trigger would have). Reached with the admin's Bearer token, or in a browser with the pass cookie that
 * `POST /api/admin/queues/session` (or its one-time link) sets: docs/operations.md, "Queue dashboard".
 */
@Injectable()
export class QueueDashboard {
  private readonly logger = new Logger(QueueDashboard.name);
  private readonly adapter = new ExpressAdapter();

  constructor(
    routing: RoutingQueue,
    private readonly auth: AuthService,
    private readonly passes: QueueDashboardPasses,
    private readonly redis: RedisClient,
  ) {
    this.adapter.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: [new BullMQAdapter(routing.queue, { readOnlyMode: true, description: 'Kapok routing (read-only)' })],
      serverAdapter: this.adapter,
      options: { uiConfig: { boardTitle: 'Kapok queues', hideDocsLink: true } },
    });
  }

  /** The admin a dashboard request is made by: Bearer token, else the pass cookie. 401 / 403 otherwise. */
  async admin(req: Request): Promise<AuthUser> {
    const token = bearer(req) ?? this.passes.open('pass', readCookie(req, QUEUE_DASHBOARD_COOKIE));
    if (!token) throw new UnauthorizedException('Open the dashboard with POST /api/admin/queues/session (admin)');
    const { user } = await this.auth.authenticateSession(token);
    if (user.role !== 'admin') throw new ForbiddenException('The queue dashboard is for admins');
    return user;
  }

  /** The access token of a one-time link, once: a second use, or one after TICKET_TTL_SECONDS, gets nothing. */
  async redeem(ticket: string): Promise<string | undefined> {
    const token = this.passes.open('ticket', ticket);
    if (!token) return undefined;
    const used = `${this.redis.prefix}:queue-dashboard-ticket:${createHash('sha256').update(ticket).digest('hex')}`;
    const first = await this.redis.client.set(used, '1', 'EX', TICKET_TTL_SECONDS + 5, 'NX');
    return first === 'OK' ? token : undefined;
  }

  /** Express middleware for QUEUE_DASHBOARD_PATH: the session routes go on to Nest, the rest needs an admin. */
  handler(): RequestHandler {
    const board = this.adapter.getRouter() as RequestHandler;
    return (req: Request, res: Response, next: NextFunction) => {
      const sub = req.path.replace(/^\/+/, '');
      if (sub === QUEUE_DASHBOARD_SESSION || sub.startsWith(`${QUEUE_DASHBOARD_SESSION}/`)) return next();
      this.admin(req).then(
        () => board(req, res, next),
        (err: unknown) => {
          if (!(err instanceof HttpException)) {
            this.logger.error(`queue dashboard: ${(err as Error).message}`);
            return next(err);
          }
          const status = err.getStatus();
          res
            .status(status)
            .json({ statusCode: status, message: err.message, error: status === 401 ? 'Unauthorized' : 'Forbidden' });
        },
      );
    };
  }
}

/** Mounts the dashboard on the gateway's HTTP server (before Nest's routes: setupGatewayApp). */
export function mountQueueDashboard(app: NestExpressApplication): void {
  app.use(QUEUE_DASHBOARD_PATH, app.get(QueueDashboard).handler());
}
