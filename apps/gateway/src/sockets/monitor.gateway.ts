import { BeforeApplicationShutdown, Logger, OnApplicationShutdown } from '@nestjs/common';
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
  MONITOR_NAMESPACE,
  MONITOR_ROLES,
  MonitorAck,
  MonitorClientToServerEvents,
  MonitorServerToClientEvents,
  QueueSnapshot,
  Role,
} from '@kapok/contracts';
import { Metrics } from '@kapok/metrics';
import { SuperviseConversation } from '@kapok/conversations';
import { monitorUnitRoom, watchRoom } from '@kapok/realtime';
import { LiveSnapshots, MonitorScope } from '@kapok/stats';
import { handOverSockets } from './hand-over';
import { endSocketSession } from './session-end';
import { SocketSubscription } from './socket-subscription';

/** The socket's events are typed by @kapok/contracts (monitor-socket.ts); its data is set by the handshake check. */
interface MonitorSocketData {
  user: AuthUser;
  session: AuthSession;
}
type MonitorNamespace = Namespace<
  MonitorClientToServerEvents,
  MonitorServerToClientEvents,
  DefaultEventsMap,
  MonitorSocketData
>;
type MonitorSocket = Socket<
  MonitorClientToServerEvents,
  MonitorServerToClientEvents,
  DefaultEventsMap,
  MonitorSocketData
>;

/**
 * A connected monitor. Its times (scopeAt, lastSentAt) pace the sending in real time (the 2 s throttle, the scope
 * refresh), so they are read with Date.now(), not the Clock: they are no domain time.
 */
interface Watcher {
  socket: MonitorSocket;
  scope: MonitorScope;
  scopeAt: number;
  lastSent?: string;
  lastSentAt: number;
}

/** How often snapshots are recomputed, and the shortest time between two snapshots to one socket (contract: 2 s). */
export const MONITOR_TICK_MS = 1000;
export const MONITOR_MIN_INTERVAL_MS = 2000;
/** A monitor's part of the tree is read again this often (units added or moved while connected). */
const SCOPE_REFRESH_MS = 60_000;

const watchKey = (socket: Socket) => `${MONITOR_NAMESPACE}:${socket.id}`;

const MONITOR_ROLE_SET: ReadonlySet<Role> = new Set(MONITOR_ROLES);

/**
 * The monitor socket (`/monitor`), for coordinators, supervisors, managers and admins; operators are refused at
 * connect. Each socket joins `monitor:unit:<id>` for its home unit and supervised stations (alerts from any process
 * reach it through the Redis adapter) and receives `queue:snapshot` at once, then whenever its numbers change, at
 * most every 2 s: this gateway recomputes the snapshots of its own sockets every second (one query round for all of
 * them) and sends each socket only a snapshot that differs from the last one it got. Events: docs/socket-events.md.
 */
@WebSocketGateway({ namespace: MONITOR_NAMESPACE })
export class MonitorGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(MonitorGateway.name);
  private nsp?: MonitorNamespace;
  private readonly watchers = new Map<string, Watcher>();
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly auth: AuthService,
    private readonly live: LiveSnapshots,
    private readonly watch: SessionWatch,
    private readonly subscription: SocketSubscription,
    private readonly metrics: Metrics,
    private readonly supervise: SuperviseConversation,
  ) {}

  afterInit(nsp: MonitorNamespace): void {
    this.nsp = nsp;
    this.metrics.observeSockets(MONITOR_NAMESPACE, () => nsp.sockets.size);
    nsp.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.auth
        .authenticateSession(typeof token === 'string' ? token : undefined)
        .then(({ user, session }) => {
          if (!MONITOR_ROLE_SET.has(user.role)) {
            return next(
              new Error('forbidden: the /monitor socket is for coordinators, supervisors, managers and admins'),
            );
          }
          socket.data.user = user;
          socket.data.session = session;
          next();
        })
        .catch((err) =>
          next(
            new Error(
              err instanceof PasswordChangeRequiredException
                ? 'forbidden: the password must be changed first'
                : 'unauthorized: a valid token is required',
            ),
          ),
        );
    });
    this.timer = setInterval(() => void this.tick(), MONITOR_TICK_MS);
    this.timer.unref();
    // Alerts emitted while this gateway's Redis subscription was down never came: every monitor gets a fresh
    // snapshot at the next tick, changed or not.
    this.subscription.onResumed(async () => {
      for (const w of this.watchers.values()) {
        w.lastSent = undefined;
        w.lastSentAt = 0;
      }
    });
  }

  async handleConnection(socket: MonitorSocket): Promise<void> {
    const user = socket.data.user;
    if (!user) return void socket.disconnect(true);
    // A session that ends, or a person whose role, unit or stations change, loses the socket (and reconnects to the
    // new scope, if any): alerts of a unit are not kept by someone who no longer has it.
    this.watch.watch(watchKey(socket), user, socket.data.session, (reason) => endSocketSession(socket, reason));
    try {
      const scope = await this.live.scopeFor(user);
      await socket.join(scope.roomUnitIds.map(monitorUnitRoom));
      if (!socket.connected) return;
      const watcher: Watcher = { socket, scope, scopeAt: Date.now(), lastSentAt: 0 };
      this.watchers.set(socket.id, watcher);
      const snapshot = (await this.live.build([scope])).get(scope.key)!;
      this.send(watcher, snapshot, Date.now());
    } catch (err) {
      this.logger.error(`monitor connect of ${user.username} failed: ${(err as Error).message}`);
      this.watchers.delete(socket.id);
      socket.disconnect(true);
    }
  }

  handleDisconnect(socket: MonitorSocket): void {
    this.watch.unwatch(watchKey(socket));
    this.watchers.delete(socket.id);
  }

  /** The current snapshot, on request (e.g. after the client was busy); acknowledged, not rate-limited. */
  @SubscribeMessage('snapshot:get')
  async snapshot(@ConnectedSocket() socket: MonitorSocket): Promise<MonitorAck<'snapshot:get'>> {
    try {
      const watcher = this.watchers.get(socket.id);
      const scope = watcher?.scope ?? (await this.live.scopeFor(socket.data.user));
      return { ok: true, snapshot: (await this.live.build([scope])).get(scope.key)! };
    } catch (err) {
      this.logger.error(`snapshot:get failed: ${(err as Error).message}`);
      return { ok: false, error: 'internal_error' };
    }
  }

  /** Shutdown (SIGTERM): the boards reconnect to another gateway by themselves (handOverSockets). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.nsp) await handOverSockets(this.nsp, () => Promise.resolve());
  }

  /** A supervisor starts watching a live text conversation of their stations: what was said so far, then each message. */
  @SubscribeMessage('conversation:watch')
  async watchConversation(
    @ConnectedSocket() socket: MonitorSocket,
    @MessageBody() body: unknown,
  ): Promise<MonitorAck<'conversation:watch'>> {
    return this.guard(async () => {
      const ack = await this.supervise.watch(socket.data.user, body);
      if (ack.ok) await socket.join(watchRoom((body as { contactId: string }).contactId));
      return ack;
    });
  }

  @SubscribeMessage('conversation:unwatch')
  async unwatchConversation(
    @ConnectedSocket() socket: MonitorSocket,
    @MessageBody() body: unknown,
  ): Promise<MonitorAck<'conversation:unwatch'>> {
    const contactId = (body as { contactId?: unknown } | undefined)?.contactId;
    if (typeof contactId !== 'string') return { ok: false, error: 'invalid_payload: contactId is required' };
    await socket.leave(watchRoom(contactId));
    return { ok: true };
  }

  /** A whisper to the conversation's operator (and the other watchers); never to the caller. */
  @SubscribeMessage('conversation:whisper')
  async whisper(
    @ConnectedSocket() socket: MonitorSocket,
    @MessageBody() body: unknown,
  ): Promise<MonitorAck<'conversation:whisper'>> {
    return this.guard(() => this.supervise.whisper(socket.data.user, body));
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T | { ok: false; error: string }> {
    try {
      return await fn();
    } catch (err) {
      this.logger.error(`monitor handler failed: ${(err as Error).stack ?? err}`);
      return { ok: false, error: 'internal_error' };
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.watchers.clear();
  }

  /** Recomputes the snapshots of every connected monitor and sends those that changed (at most every 2 s each). */
  async tick(): Promise<void> {
    if (this.ticking || this.watchers.size === 0) return;
    this.ticking = true;
    try {
      const now = Date.now();
      const due = [...this.watchers.values()].filter((w) => now - w.lastSentAt >= MONITOR_MIN_INTERVAL_MS);
      if (!due.length) return;
      for (const w of due) {
        if (now - w.scopeAt < SCOPE_REFRESH_MS) continue;
        w.scope = await this.live.scopeFor(w.socket.data.user);
        w.scopeAt = now;
      }
      const snapshots = await this.live.build(due.map((w) => w.scope));
      for (const w of due) {
        if (this.watchers.get(w.socket.id) !== w) continue;
        this.send(w, snapshots.get(w.scope.key)!, now);
      }
    } catch (err) {
      this.logger.error(`monitor snapshots failed: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private send(w: Watcher, snapshot: QueueSnapshot, now: number): void {
    const body = JSON.stringify([snapshot.units, snapshot.consoleLostContacts]);
    if (body === w.lastSent) return;
    w.lastSent = body;
    w.lastSentAt = now;
    w.socket.emit('queue:snapshot', snapshot);
  }
}
