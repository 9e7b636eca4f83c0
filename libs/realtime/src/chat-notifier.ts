import { Injectable } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { CHAT_NAMESPACE, ChatServerToClientEvents } from '@kapok/contracts';
import { RedisClient } from './redis-client';

/** The room of one conversation's caller sockets (`/chat`), on whichever gateway. */
export const chatRoom = (conversationId: string) => `chat:${conversationId}`;

/**
 * Emits to callers (`/chat`) through Redis, from any process: a message written on gateway A reaches the caller
 * whose socket is on gateway B. At most once: everything sent here is also in `history:get`.
 */
@Injectable()
export class ChatNotifier {
  private readonly chats: Emitter<ChatServerToClientEvents>;

  constructor(redis: RedisClient) {
    this.chats = new Emitter<ChatServerToClientEvents>(redis.publisher, { key: `${redis.prefix}:socket.io` }).of(
      CHAT_NAMESPACE,
    );
  }

  toCaller<E extends keyof ChatServerToClientEvents>(
    conversationId: string,
    event: E,
    ...payload: Parameters<ChatServerToClientEvents[E]>
  ): void {
    this.chats.to(chatRoom(conversationId)).emit(event, ...payload);
  }
}
