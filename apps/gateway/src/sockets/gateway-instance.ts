import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Namespace } from 'socket.io';
import type { AuthUser } from '@kapok/auth';
import { AgentStateRepository } from '@kapok/presence';
import { HeldSocket, ReconcileGatewaySessions } from '@kapok/routing';

const HEARTBEAT_MS = 10_000;
/**
 * How often this gateway's session rows are compared with the sockets it holds, and a failed heartbeat is tried
 * again: after a Postgres outage, sessions are true again within this much of Postgres answering.
 */
const SESSION_SYNC_MS = 2_000;
/** A socket younger than this is left to its own connect handler (which records it, or closes it on failure). */
const SOCKET_SETTLE_MS = 5_000;

/** What this class reads of the `/agent` namespace: its sockets, with the operator the handshake found. */
type AgentSockets = Pick<Namespace, 'sockets'>;

/**
 * This gateway process, as the router sees it: a heartbeat row in Postgres. If the process dies, the router's
 * reconciler treats its sockets as closed (offers revoked, reconnect grace started). While it lives, it keeps its own
 * rows of agent_sessions true to the sockets it holds (ReconcileGatewaySessions): a disconnect that could not be
 * written (Postgres down) is written once Postgres answers, and a socket whose row the sweep removed while this
 * process could not write its heartbeat is recorded again.
 */
@Injectable()
export class GatewayInstance implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer?: NodeJS.Timeout;
  private readonly logger = new Logger(GatewayInstance.name);
  private agentSockets?: AgentSockets;
  private lastHeartbeat = 0;
  private syncing = false;
  private stopped = false;

  constructor(
    private readonly agents: AgentStateRepository,
    private readonly sessions: ReconcileGatewaySessions,
  ) {}

  /** The `/agent` namespace of this process (AgentGateway registers it once initialised). */
  holdAgentSockets(nsp: AgentSockets): void {
    this.agentSockets = nsp;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.agents.heartbeat(this.id);
    this.lastHeartbeat = Date.now();
    this.timer = setInterval(() => void this.tick(), SESSION_SYNC_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.agents.retireGateway(this.id).catch(() => undefined);
  }

  /** One round: the heartbeat when due (or failed last time), then the sessions, one round at a time. */
  async tick(): Promise<void> {
    if (this.syncing || this.stopped) return;
    this.syncing = true;
    try {
      if (Date.now() - this.lastHeartbeat >= HEARTBEAT_MS) {
        await this.agents.heartbeat(this.id);
        this.lastHeartbeat = Date.now();
      }
      await this.syncSessions();
    } catch (err) {
      this.logger.error(`heartbeat or session sync failed: ${(err as Error).message}`);
    } finally {
      this.syncing = false;
    }
  }

  private async syncSessions(): Promise<void> {
    const nsp = this.agentSockets;
    if (!nsp) return;
    const held = (): ReadonlyMap<string, HeldSocket> => {
      const now = Date.now();
      const out = new Map<string, HeldSocket>();
      for (const [id, socket] of nsp.sockets) {
        const user = (socket.data as { user?: AuthUser } | undefined)?.user;
        if (user) out.set(id, { user, settled: now - socket.handshake.issued >= SOCKET_SETTLE_MS });
      }
      return out;
    };
    const { restored } = await this.sessions.execute(this.id, held);
    for (const { socketId, state } of restored) nsp.sockets.get(socketId)?.emit('agent:state', state);
    if (restored.length) {
      // the sweep took this process for dead: show it alive at once, before the next sweep judges it again
      await this.agents.heartbeat(this.id);
      this.lastHeartbeat = Date.now();
    }
  }
}
