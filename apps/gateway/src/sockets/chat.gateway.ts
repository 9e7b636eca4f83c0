import { Logger, OnApplicationShutdown } from '@nestjs/common';
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
import {
  AckError,
  CHAT_NAMESPACE,
  ChatAck,
  ChatClientToServerEvents,
  ChatServerToClientEvents,
} from '@kapok/contracts';
import {
  CallerStates,
  CallerView,
  EndChat,
  GetCallerHistory,
  MarkMessages,
  ResumeChat,
  SendCallerMessage,
  SignalTyping,
} from '@kapok/conversations';
import { Metrics } from '@kapok/metrics';
import { chatRoom } from '@kapok/realtime';
import { SocketEventLimiter } from '@kapok/throttle';
import { SocketSubscription } from './socket-subscription';

interface ChatSocketData {
  conversationId: string;
  /** What this socket was last told (`conversation:state`, `queue:position`), to send only changes. */
  shown?: string;
}
type ChatNamespace = Namespace<ChatClientToServerEvents, ChatServerToClientEvents, DefaultEventsMap, ChatSocketData>;
type ChatSocket = Socket<ChatClientToServerEvents, ChatServerToClientEvents, DefaultEventsMap, ChatSocketData>;

/** How often this gateway looks at where its callers' conversations are (queue position, accepted, ended). */
export const CHAT_TICK_MS = 2000;

/**
 * The caller's socket (`/chat`), for the web chat: `io(url + '/chat', { auth: { resumeToken } })`. A missing or
 * unknown token is refused at connect (`connect_error` `unauthorized: …`), nothing stored. Each socket joins the
 * room of its conversation (messages from any process reach it through Redis). Every couple of seconds this gateway
 * reads where its callers' conversations are, in one round of queries for all of them, and tells each socket what
 * changed: `conversation:state`, `queue:position` while waiting, `conversation:ended`. Events:
 * docs/conversations.md and docs/socket-events.md. Handlers only map payloads to the conversations' use-cases.
 */
@WebSocketGateway({ namespace: CHAT_NAMESPACE })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown {
  private readonly logger = new Logger(ChatGateway.name);
  private nsp?: ChatNamespace;
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly resume: ResumeChat,
    private readonly states: CallerStates,
    private readonly send: SendCallerMessage,
    private readonly history: GetCallerHistory,
    private readonly marks: MarkMessages,
    private readonly typingSignal: SignalTyping,
    private readonly endChat: EndChat,
    private readonly limiter: SocketEventLimiter,
    private readonly subscription: SocketSubscription,
    private readonly metrics: Metrics,
  ) {}

  afterInit(nsp: ChatNamespace): void {
    this.nsp = nsp;
    this.metrics.observeSockets(CHAT_NAMESPACE, () => nsp.sockets.size);
    nsp.use((socket, next) => {
      const token = (socket.handshake.auth as { resumeToken?: unknown } | undefined)?.resumeToken;
      this.resume
        .execute(token)
        .then((c) => {
          if (!c) return next(new Error('unauthorized: unknown resume token'));
          socket.data.conversationId = c.id;
          next();
        })
        .catch((err) => {
          this.logger.error(`chat socket auth failed: ${(err as Error).message}`);
          next(new Error('unavailable: try again'));
        });
    });
    this.timer = setInterval(() => void this.tick(), CHAT_TICK_MS);
    this.timer.unref();
    // what was emitted while this gateway's Redis subscription was down never came: the state is sent again
    this.subscription.onResumed(async () => {
      for (const s of nsp.sockets.values()) s.data.shown = undefined;
      await this.tick();
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async handleConnection(socket: ChatSocket): Promise<void> {
    const id = socket.data.conversationId;
    if (!id) return void socket.disconnect(true);
    socket.use(this.limiter.middleware());
    await socket.join(chatRoom(id));
    try {
      const view = (await this.states.execute([id])).get(id);
      if (view) this.show(socket, view);
    } catch (err) {
      this.logger.error(`chat connect failed: ${(err as Error).message}`);
    }
  }

  handleDisconnect(): void {
    // nothing to write: a caller who does not come back while waiting is abandoned by the conversation sweep
  }

  @SubscribeMessage('message:send')
  sendMessage(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.guard<ChatAck<'message:send'>>(() => this.send.execute(socket.data.conversationId, body));
  }

  @SubscribeMessage('history:get')
  getHistory(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.guard<ChatAck<'history:get'>>(() => this.history.execute(socket.data.conversationId, body));
  }

  @SubscribeMessage('message:delivered')
  delivered(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.guard(() => this.marks.execute(socket.data.conversationId, 'caller', 'delivered', body));
  }

  @SubscribeMessage('message:read')
  read(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.guard(() => this.marks.execute(socket.data.conversationId, 'caller', 'read', body));
  }

  @SubscribeMessage('typing')
  typing(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown) {
    return this.guard(() => this.typingSignal.execute(socket.data.conversationId, 'caller', body));
  }

  @SubscribeMessage('conversation:end')
  end(@ConnectedSocket() socket: ChatSocket) {
    return this.guard<ChatAck<'conversation:end'>>(() => this.endChat.execute(socket.data.conversationId));
  }

  /** Tells the socket what changed since it was last told. */
  private show(socket: ChatSocket, view: CallerView): void {
    const key = JSON.stringify(view);
    if (socket.data.shown === key) return;
    const before = socket.data.shown ? (JSON.parse(socket.data.shown) as CallerView) : undefined;
    socket.data.shown = key;
    if (before?.status !== view.status) socket.emit('conversation:state', { status: view.status });
    if (view.position && JSON.stringify(before?.position) !== JSON.stringify(view.position)) {
      socket.emit('queue:position', view.position);
    }
    // (an end is emitted to the room when it happens; here only to a socket that connects to an ended one)
    if (view.status === 'ended' && !before && view.endReason) {
      socket.emit('conversation:ended', { reason: view.endReason });
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking || !this.nsp?.sockets.size) return;
    this.ticking = true;
    try {
      const sockets = [...this.nsp.sockets.values()].filter((s) => s.data.conversationId);
      const views = await this.states.execute([...new Set(sockets.map((s) => s.data.conversationId))]);
      for (const s of sockets) {
        const view = views.get(s.data.conversationId);
        if (view && s.connected) this.show(s, view);
      }
    } catch (err) {
      this.logger.error(`chat tick failed: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T | AckError> {
    try {
      return await fn();
    } catch (err) {
      this.logger.error(`chat handler failed: ${(err as Error).stack ?? err}`);
      return { ok: false, error: 'internal_error' };
    }
  }
}
