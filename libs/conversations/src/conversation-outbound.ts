import { Injectable, Logger } from '@nestjs/common';

/**
 * A channel that carries conversations outside Kapok (the WeChat adapter): told of each operator or system message
 * of its conversations the moment it is stored and its people were told, so that it sends it at once. Being told is
 * a speed-up only: the channel also finds what it was not told of in the database (its own outbox sweep), so a
 * crash between storing and telling loses nothing.
 */
export interface ConversationOutbound {
  stored(conversationId: string, messageId: string): Promise<void>;
}

/**
 * The port ConversationDelivery tells channels through. A channel's library registers itself when its module starts
 * (it imports ConversationsModule: the conversations never depend on a channel). Unregistered channels (web chat,
 * WeChat switched off) are told nothing.
 */
@Injectable()
export class ConversationOutboundPort {
  private readonly logger = new Logger(ConversationOutboundPort.name);
  private readonly channels = new Map<string, ConversationOutbound>();

  register(channel: string, outbound: ConversationOutbound): void {
    if (this.channels.has(channel)) throw new Error(`An outbound for channel ${channel} is already registered`);
    this.channels.set(channel, outbound);
  }

  /** Never waits for the channel and never throws: the message is stored, the people in Kapok were told. */
  notify(channel: string, conversationId: string, messageId: string): void {
    const outbound = this.channels.get(channel);
    if (!outbound) return;
    outbound.stored(conversationId, messageId).catch((err: Error) => {
      this.logger.warn(
        `telling the ${channel} channel of message ${messageId} failed (its sweep will find it): ${err.message}`,
      );
    });
  }
}
