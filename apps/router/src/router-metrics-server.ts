import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppConfig } from '@kapok/config';
import { Metrics, metricsAccess } from '@kapok/metrics';
import { RouterHeartbeat } from './router-heartbeat';

/**
 * The router's own small HTTP server on ROUTER_METRICS_PORT (the router has no other port):
 * - `GET /metrics`: this router's metrics (Prometheus text), with the gateway's rule: `Authorization: Bearer
 *   <METRICS_TOKEN>` when METRICS_TOKEN is set, else only from this machine;
 * - `GET /health`: liveness, open: 200 while the worker consumes and its heartbeat goes through, else 503.
 * Opened by main.ts only (a test that runs the router inside its own process opens no port).
 */
@Injectable()
export class RouterMetricsServer implements OnApplicationShutdown {
  private readonly logger = new Logger(RouterMetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    private readonly heartbeat: RouterHeartbeat,
    private readonly config: AppConfig,
  ) {}

  /** Listens; answers the port (the one picked when asked for 0). Fails if the port is taken. */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const bound = (server.address() as AddressInfo).port;
    this.logger.log(`router metrics on http://${host}:${bound}/metrics, liveness on /health`);
    return bound;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'GET only\n');
      if (path === '/health') {
        const alive = this.heartbeat.alive;
        return send(res, alive ? 200 : 503, 'application/json', JSON.stringify({ status: alive ? 'ok' : 'error' }));
      }
      if (path === '/metrics') {
        const verdict = metricsAccess(
          { headers: req.headers, remoteAddress: req.socket.remoteAddress },
          this.config.get('METRICS_TOKEN'),
        );
        if (!verdict.ok) {
          if (verdict.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
          return send(res, verdict.status, 'text/plain', `${verdict.message}\n`);
        }
        return send(res, 200, this.metrics.contentType, await this.metrics.text());
      }
      send(res, 404, 'text/plain', 'Not found: /metrics, /health\n');
    } catch (err) {
      this.logger.error(`metrics request failed: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, 'text/plain', 'metrics unavailable\n');
    }
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': type.includes('charset') ? type : `${type}; charset=utf-8`,
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
