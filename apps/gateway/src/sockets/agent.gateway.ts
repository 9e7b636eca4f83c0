import { BeforeApplicationShutdown, Logger, UnauthorizedException } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { DefaultEventsMap, Namespace, Socket } from 'socket.io';
import { AuthService, AuthSession, AuthUser, PasswordChangeRequiredException, SessionWatch } from '@kapok/auth';
import {
  AGENT_NAMESPACE,
  AckError,
  AgentAck,
  AgentClientToServerEvents,
  AgentServerToClientEvents,
} from '@kapok/contracts';
import { Metrics } from '@kapok/metrics';
import { agentRoom } from '@kapok/realtime';
import { GetOperatorHistory, OperatorMarksAndTyping, SendOperatorMessage } from '@kapok/conversations';
import { AgentSession, AnswerOffer } from '@kapok/routing';
import { SocketEventLimiter } from '@kapok/throttle';
import { GatewayDrain } from '../shutdown/gateway-drain';
import { GatewayInstance } from './gateway-instance';
import { handOverSockets } from './hand-over';
import { OfferPayload, PresencePayload, parsePayload } from './payloads';
import { endSocketSession } from './session-end';
import { SocketSubscription } from './socket-subscription';

/** The socket's events are typed by @kapok/contracts (agent-socket.ts); its data is set by the handshake check. */
interface AgentSocketData {
  user: AuthUser;
  session: AuthSession;
}
type AgentNamespace = Namespace<
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  DefaultEventsMap,
  AgentSocketData
>;
type AgentSocket = Socket<AgentClientToServerEvents, AgentServerToClientEvents, DefaultEventsMap, AgentSocketData>;

const watchKey = (socket: Socket) => `${AGENT_NAMESPACE}:${socket.id}`;

/**
 * The operator socket (`/agent`). Events are documented in docs/socket-events.md. Handlers only map payloads to
 * the routing use-cases; every answer is an ack, and anything the operator must not miss is also in `agent:state`.
 * A socket lives as long as its sign-in session (SessionWatch): signed out, revoked, expired or deactivated, it gets
 * `session:ended` and is closed, which gives an open offer to the next operator. Origins: RedisIoAdapter.
 */
@WebSocketGateway({ namespace: AGENT_NAMESPACE })
export class AgentGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown
{
  private readonly logger = new Logger(AgentGateway.name);
  private nsp?: AgentNamespace;
  /** Disconnects being written (sessions closed, open offers moved on): the shutdown waits for them. */
  private readonly disconnecting = new Set<Promise<void>>();

  constructor(
    private readonly auth: AuthService,
    private readonly session: AgentSession,
    private readonly answer: AnswerOffer,
    private readonly instance: GatewayInstance,
    private readonly watch: SessionWatch,
    private readonly limiter: SocketEventLimiter,
    private readonly subscription: SocketSubscription,
    private readonly metrics: Metrics,
    private readonly drain: GatewayDrain,
    private readonly sendMessage: SendOperatorMessage,
    private readonly history: GetOperatorHistory,
    private readonly conversation: OperatorMarksAndTyping,
  ) {}

  afterInit(nsp: AgentNamespace): void {
    this.nsp = nsp;
    this.metrics.observeSockets(AGENT_NAMESPACE, () => nsp.sockets.size);
    this.instance.holdAgentSockets(nsp); // its sessions are kept true to these sockets, whatever a write missed
    this.subscription.onResumed(() => this.resync(nsp));
    nsp.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.auth
        .authenticateSession(typeof token === 'string' ? token : undefined)
        .then(({ user, session }) => {
          // supervisors too: they take the contacts transferred to a supervisor (docs/conversations.md)
          if (user.role !== 'operator' && user.role !== 'supervisor') {
            return next(new Error('forbidden: the /agent socket is for operators (and supervisors taking transfers)'));
          }
          socket.data.user = user;
          socket.data.session = session;
          next();
        })
        .catch((err) => {
          if (err instanceof UnauthorizedException) return next(new Error('unauthorized: a valid token is required'));
          if (err instanceof PasswordChangeRequiredException) {
            return next(new Error('forbidden: the password must be changed first'));
          }
          this.logger.error(`socket auth failed: ${(err as Error).message}`);
          next(new Error('unavailable: try again'));
        });
    });
  }

  async handleConnection(socket: AgentSocket): Promise<void> {
    const user = socket.data.user;
    if (!user) return void socket.disconnect(true);
    if (this.drain.draining) return void socket.conn.close(); // shutting down: the console reconnects elsewhere
    socket.use(this.limiter.middleware()); // events over the socket's rate get {ok:false, error:'rate_limited…'}
    this.watch.watch(watchKey(socket), user, socket.data.session, (reason) => endSocketSession(socket, reason));
    await socket.join(agentRoom(user.id));
    try {
      const state = await this.session.connected(user, socket.id, this.instance.id, socket.data.session?.id);
      socket.emit('agent:state', state);
    } catch (err) {
      this.logger.error(`connect of ${user.username} failed: ${(err as Error).message}`);
      socket.disconnect(true);
    }
  }

  async handleDisconnect(socket: AgentSocket): Promise<void> {
    const done = this.disconnected(socket);
    this.disconnecting.add(done);
    await done.finally(() => this.disconnecting.delete(done));
  }

  /**
   * Shutdown (SIGTERM): every operator's console is handed over to another gateway. Their connections are closed
   * without a goodbye, as if the network had dropped, so socket.io clients reconnect by themselves (through the
   * balancer, to a gateway that runs); the disconnects are written while Postgres is still open, and the reconnect
   * grace keeps each operator's place and contacts meanwhile.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.nsp) await handOverSockets(this.nsp, () => Promise.allSettled([...this.disconnecting]));
  }

  private async disconnected(socket: AgentSocket): Promise<void> {
    if (!socket.data.user) return;
    this.watch.unwatch(watchKey(socket));
    await this.session.disconnected(socket.id).catch((err) => {
      // (e.g. Postgres down) GatewayInstance closes the session within seconds of Postgres answering again
      this.logger.error(
        `disconnect of ${socket.data.user.username}: ${(err as Error).message}; retried by the session sync`,
      );
    });
  }

  @SubscribeMessage('presence:set')
  async setPresence(
    @ConnectedSocket() socket: AgentSocket,
    @MessageBody() body: unknown,
  ): Promise<AgentAck<'presence:set'>> {
    const parsed = await parsePayload(PresencePayload, body);
    if ('error' in parsed) return { ok: false, error: parsed.error };
    return this.guard(async () => {
      const state = await this.session.setPresence(socket.data.user, parsed.value.status);
      return { ok: true, status: state.presence, state };
    });
  }

  @SubscribeMessage('offer:accept')
  async accept(
    @ConnectedSocket() socket: AgentSocket,
    @MessageBody() body: unknown,
  ): Promise<AgentAck<'offer:accept'>> {
    const parsed = await parsePayload(OfferPayload, body);
    if ('error' in parsed) return { ok: false, error: parsed.error };
    return this.guard(() => this.answer.accept(socket.data.user.id, parsed.value.offerId));
  }

  @SubscribeMessage('offer:decline')
  async decline(
    @ConnectedSocket() socket: AgentSocket,
    @MessageBody() body: unknown,
  ): Promise<AgentAck<'offer:decline'>> {
    const parsed = await parsePayload(OfferPayload, body);
    if ('error' in parsed) return { ok: false, error: parsed.error };
    return this.guard(() => this.answer.decline(socket.data.user.id, parsed.value.offerId));
  }

  @SubscribeMessage('state:get')
  async state(@ConnectedSocket() socket: AgentSocket): Promise<AgentAck<'state:get'>> {
    return this.guard(async () => ({ ok: true, state: await this.session.currentState(socket.data.user.id) }));
  }

  @SubscribeMessage('message:send')
  async send(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: unknown): Promise<AgentAck<'message:send'>> {
    return this.guard(() => this.sendMessage.execute(socket.data.user, body));
  }

  @SubscribeMessage('history:get')
  async getHistory(
    @ConnectedSocket() socket: AgentSocket,
    @MessageBody() body: unknown,
  ): Promise<AgentAck<'history:get'>> {
    return this.guard(() => this.history.execute(socket.data.user, body));
  }

  @SubscribeMessage('message:delivered')
  async delivered(
    @ConnectedSocket() socket: AgentSocket,
    @MessageBody() body: unknown,
  ): Promise<AgentAck<'message:delivered'>> {
    return this.guard(() => this.conversation.mark(socket.data.user, 'delivered', body));
  }

  @SubscribeMessage('message:read')
  async read(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: unknown): Promise<AgentAck<'message:read'>> {
    return this.guard(() => this.conversation.mark(socket.data.user, 'read', body));
  }

  @SubscribeMessage('typing')
  async typing(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: unknown): Promise<AgentAck<'typing'>> {
    return this.guard(() => this.conversation.typing(socket.data.user, body));
  }

  /**
   * This gateway's Redis subscription was interrupted and is back: what was emitted to its sockets meanwhile never
   * came (an offer, a revocation …), so each operator's sockets get their whole state again (`agent:state`), as on
   * connect, and an available operator is routed at once.
   */
  private async resync(nsp: AgentNamespace): Promise<void> {
    const byOperator = new Map<string, AgentSocket[]>();
    for (const socket of nsp.sockets.values()) {
      const user = socket.data.user;
      if (user) byOperator.set(user.id, [...(byOperator.get(user.id) ?? []), socket]);
    }
    for (const [userId, sockets] of byOperator) {
      await this.session
        .resync(userId, (state) => {
          for (const s of sockets) if (s.connected) s.emit('agent:state', state);
        })
        .catch((err) => this.logger.error(`resync of ${userId} failed: ${(err as Error).message}`));
    }
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T | AckError> {
    try {
      return await fn();
    } catch (err) {
      this.logger.error(`socket handler failed: ${(err as Error).stack ?? err}`);
      return { ok: false, error: 'internal_error' };
    }
  }
}
