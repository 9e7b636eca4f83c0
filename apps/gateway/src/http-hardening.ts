import type { IncomingMessage } from 'node:http';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppConfig } from '@kapok/config';

/** Express's `trust proxy` from TRUST_PROXY: false, true, a hop count, or addresses/subnets (comma-separated). */
export function trustProxySetting(value: string): boolean | number | string[] {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The page's own host for websockets (older browsers do not count ws:/wss: as 'self'); nothing for an odd Host. */
const sameHostSockets = (req: IncomingMessage): string => {
  const host = req.headers.host;
  return host && HOST.test(host) ? `ws://${host} wss://${host}` : "'self'";
};

/** Paths whose answers may be stored by caches: the OpenAPI page and its assets (no personal data). */
const CACHEABLE_API = /^\/api\/docs(?:[/-]|$)/;

/**
 * HTTP hardening of every answer of the gateway (API, console, OpenAPI page), registered before any route:
 * - `trust proxy` from TRUST_PROXY, so `req.ip` (login throttling, audit rows) and `req.secure` are the client's only
 *   behind a proxy we were told about; no `X-Powered-By`;
 * - helmet: a Content-Security-Policy fit for the console (scripts only from this origin; inline styles, which antd
 *   and ECharts write; images and fonts from this origin or data:/blob:; sockets to this host), frame-ancestors
 *   'none' and X-Frame-Options DENY, nosniff, no referrer; HSTS only on a request that arrived over TLS;
 * - `Cache-Control: no-store` on every /api answer (they may carry personal data), except /api/docs.
 */
export function hardenHttp(app: NestExpressApplication, config: AppConfig): void {
  app.set('trust proxy', trustProxySetting(config.get('TRUST_PROXY')));
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'base-uri': ["'self'"],
          'script-src': ["'self'"],
          'script-src-attr': ["'none'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'font-src': ["'self'", 'data:'],
          'media-src': ["'self'", 'data:', 'blob:'],
          'connect-src': ["'self'", sameHostSockets],
          'worker-src': ["'self'", 'blob:'],
          'object-src': ["'none'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
        },
      },
      strictTransportSecurity: false,
      xFrameOptions: { action: 'deny' },
    }),
  );
  const hsts = helmet.strictTransportSecurity({ maxAge: 365 * 24 * 3600, includeSubDomains: false });
  app.use((req: Request, res: Response, next: NextFunction) => (req.secure ? hsts(req, res, next) : next()));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.path === '/api' || req.path.startsWith('/api/')) && !CACHEABLE_API.test(req.path)) {
      res.setHeader('Cache-Control', 'no-store');
    }
    next();
  });
}
