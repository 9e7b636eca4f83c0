import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a metrics request is judged on: its headers and the address of the TCP peer (not X-Forwarded-For). */
export interface MetricsRequest {
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
}

/** 200: serve; 401: a token is required (and was missing or wrong); 403: not from this machine. */
export type MetricsVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
/** Headers a proxy adds: a request that went through one did not come from this machine, whatever the peer is. */
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Who may read /metrics (gateway and router alike). With METRICS_TOKEN set: whoever sends
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). Without it: only a client on this machine,
 * i.e. the TCP peer is a loopback address and the request carries no proxy header (a reverse proxy on the same host
 * would otherwise make the whole internet look local).
 */
export function metricsAccess(req: MetricsRequest, token: string | undefined): MetricsVerdict {
  if (token) {
    const h = req.headers.authorization;
    const given = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
    if (given !== undefined && timingSafeEqual(digest(given), digest(token))) return { ok: true };
    return { ok: false, status: 401, message: 'Authorization: Bearer <METRICS_TOKEN> is required' };
  }
  const local = LOOPBACK.test(req.remoteAddress ?? '') && !FORWARDED.some((name) => req.headers[name] !== undefined);
  return local
    ? { ok: true }
    : {
        ok: false,
        status: 403,
        message: 'Metrics are served to this machine only (set METRICS_TOKEN to read them remotely)',
      };
}
