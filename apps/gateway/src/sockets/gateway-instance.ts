import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AgentStateRepository } from '@kapok/presence';

const HEARTBEAT_MS = 10_000;

/**
 * This gateway process, as the router sees it: a heartbeat row in Postgres. If the process dies, the router's
 * reconciler treats its sockets as closed (offers revoked, reconnect grace started).
 */
@Injectable()
export class GatewayInstance implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer?: NodeJS.Timeout;
  private readonly logger = new Logger(GatewayInstance.name);

  constructor(private readonly agents: AgentStateRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.agents.heartbeat(this.id);
    this.timer = setInterval(() => {
      this.agents.heartbeat(this.id).catch((e) => this.logger.error(`heartbeat failed: ${(e as Error).message}`));
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.agents.retireGateway(this.id).catch(() => undefined);
  }
}
