import { Injectable, Logger } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { AgentStateRepository } from '@kapok/presence';
import { AgentStateEvent } from '@kapok/realtime';
import { AgentSession } from './agent-session';

/** A socket a gateway process really holds on `/agent`, with its operator. */
export interface HeldSocket {
  user: AuthUser;
  /** Connected long enough for its own connect handler to have recorded it (or given up and closed it). */
  settled: boolean;
}

export interface GatewaySessionsReconciled {
  /** Rows whose socket is gone: closed now, as the disconnect would have. */
  closed: string[];
  /** Sockets held without a row (removed while this gateway looked dead): recorded again, with the state to send. */
  restored: { socketId: string; state: AgentStateEvent }[];
}

/**
 * A gateway's own sessions made true again (run by each gateway every few seconds). Its rows in agent_sessions are
 * the sockets routing believes it holds; the sockets it really holds are the truth:
 * - a row whose socket is no longer connected is closed exactly as a disconnect is (an open offer goes to the next
 *   operator, the reconnect grace starts): the disconnect could not be written, e.g. Postgres was down when the
 *   socket closed, and a phantom on-duty operator would be offered contacts nobody sees;
 * - a socket held without a row is recorded again (and its operator routed), e.g. the router's sweep took this
 *   gateway for dead while it could not write its heartbeat.
 * Socket ids are never reused and a row is written only once its socket is connected, so a row whose socket is not
 * held now is gone for good. Sockets not settled yet are left to their own connect handler.
 */
@Injectable()
export class ReconcileGatewaySessions {
  private readonly logger = new Logger(ReconcileGatewaySessions.name);

  constructor(
    private readonly agents: AgentStateRepository,
    private readonly session: AgentSession,
  ) {}

  /**
   * `held()` gives the sockets held at the moment it is called, by socket id; it is read after the rows (a socket
   * that connects meanwhile has its row already or is not settled; one that closes meanwhile is not held, and its
   * row is closed here or by its own disconnect: removing a row is idempotent).
   */
  async execute(gatewayId: string, held: () => ReadonlyMap<string, HeldSocket>): Promise<GatewaySessionsReconciled> {
    const rows = await this.agents.sessionsOfGateway(gatewayId);
    const sockets = held();
    const closed: string[] = [];
    for (const socketId of rows) {
      if (sockets.has(socketId)) continue;
      await this.session.disconnected(socketId);
      closed.push(socketId);
    }
    const recorded = new Set(rows);
    const restored: GatewaySessionsReconciled['restored'] = [];
    for (const [socketId, { user, settled }] of sockets) {
      if (recorded.has(socketId) || !settled) continue;
      const state = await this.session.connected(user, socketId, gatewayId);
      // closed while it was being recorded: its own disconnect may have run first, so close it here
      if (!held().has(socketId)) await this.session.disconnected(socketId);
      else restored.push({ socketId, state });
    }
    if (closed.length || restored.length) {
      this.logger.warn(
        `gateway ${gatewayId}: ${closed.length} sessions of closed sockets closed, ${restored.length} of held sockets recorded again`,
      );
    }
    return { closed, restored };
  }
}
