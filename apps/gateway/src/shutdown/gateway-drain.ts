import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Seconds a telephony gateway is told to wait before sending a contact again to a gateway that is shutting down. */
export const DRAINING_RETRY_AFTER_SECONDS = 1;

/**
 * This gateway is shutting down (SIGTERM: Nest's shutdown hooks, enabled in setupGatewayApp). The first hook of the
 * shutdown sets `draining`: readiness answers 503 at once (a balancer takes the gateway out), new contacts are
 * answered 503 with Retry-After (AcceptingIntakeGuard; telephony gateways send them again, to another gateway),
 * while requests in flight finish. The sockets are handed over by their own gateways (AgentGateway, MonitorGateway:
 * their clients reconnect to another gateway), then Nest closes the HTTP server, which waits for the requests in
 * flight. If anything hangs, the process exits anyway (exitIfShutdownHangs, main.ts).
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
  }
}
