import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Seconds a telephony gateway is told to wait before sending a contact again to a gateway that is shutting down. */
export const DRAINING_RETRY_AFTER_SECONDS = 1;
/** However the shutdown goes, the process is gone this long after SIGTERM (in-flight requests, sockets, pools). */
export const SHUTDOWN_DEADLINE_MS = 20_000;

/**
 * This gateway is shutting down (SIGTERM: Nest's shutdown hooks, enabled in setupGatewayApp). The first hook of the
 * shutdown sets `draining`: readiness answers 503 at once (a balancer takes the gateway out), new contacts are
 * answered 503 with Retry-After (AcceptingIntakeGuard; telephony gateways send them again, to another gateway),
 * while requests in flight finish. The sockets are handed over by their own gateways (AgentGateway, MonitorGateway:
 * their clients reconnect to another gateway), then Nest closes the HTTP server, which waits for the requests in
 * flight. If anything hangs, the process exits at SHUTDOWN_DEADLINE_MS anyway.
 */
@Injectable()
export class GatewayDrain implements OnModuleDestroy {
  private readonly logger = new Logger(GatewayDrain.name);
  private since?: number;

  get draining(): boolean {
    return this.since !== undefined;
  }

  /**
   * Express middleware: while draining, every answer says `Connection: close`, so clients (balancers, telephony
   * gateways keeping connections alive) let go of this gateway and the HTTP server can close once they have.
   */
  readonly closeConnections = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.draining) res.setHeader('Connection', 'close');
    next();
  };

  onModuleDestroy(): void {
    this.begin();
  }

  /** Stops taking intake (idempotent). */
  begin(): void {
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.logger.log('shutting down: not ready, no new intake, handing the sockets over');
    const deadline = setTimeout(() => {
      this.logger.error(`shutdown did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s: exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
  }
}
