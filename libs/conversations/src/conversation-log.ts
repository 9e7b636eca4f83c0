import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ConversationMessage, MessageSender } from '@kapok/contracts';
import { Clock } from '@kapok/common';
import { Db, Tx } from '@kapok/database';
import { ConversationRepository, ConversationWithContact } from './conversation.repository';
import { MessageRepository } from './message.repository';
import { MessageTextCipher } from './message-text-cipher';
import { ConversationViews } from './conversation.views';

export interface Appended {
  conversation: ConversationWithContact;
  message: ConversationMessage;
  /** False for a resend (same sender, same client id): the message stored the first time, not stored again. */
  created: boolean;
}

/**
 * Appends messages to a conversation: under the conversation's row lock, a resend (same sender and client id) is
 * found and answered with the message stored the first time; otherwise the next number is taken and the message,
 * encrypted, is stored in the same transaction. Committed before anyone is told or acknowledged.
 */
@Injectable()
export class ConversationLog {
  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly cipher: MessageTextCipher,
    private readonly views: ConversationViews,
    private readonly clock: Clock,
  ) {}

  /**
   * `check` runs on the locked conversation (and its contact) and throws to refuse. Answers undefined when the
   * conversation is not open any more.
   */
  async append(
    conversationId: string,
    m: { sender: MessageSender; userId: string | null; clientId: string | null; text: string },
    check: (c: ConversationWithContact) => void = () => undefined,
  ): Promise<Appended | undefined> {
    return this.db.tx((tx) => this.appendIn(tx, conversationId, m, check));
  }

  async appendIn(
    tx: Tx,
    conversationId: string,
    m: { sender: MessageSender; userId: string | null; clientId: string | null; text: string },
    check: (c: ConversationWithContact) => void = () => undefined,
  ): Promise<Appended | undefined> {
    const conversation = await this.conversations.lock(conversationId, tx);
    if (!conversation) return undefined;
    check(conversation);
    if (m.clientId) {
      const sent = await this.messages.findSent(tx, conversationId, m.sender, m.clientId);
      if (sent) return { conversation, message: this.views.message(sent), created: false };
    }
    const activity = m.sender === 'caller' || m.sender === 'operator';
    const seq = await this.conversations.nextSeq(tx, conversationId, activity);
    if (seq === undefined) return undefined;
    const id = randomUUID();
    const row = await this.messages.insert(tx, {
      id,
      conversationId,
      seq,
      sender: m.sender,
      senderUserId: m.userId,
      clientId: m.clientId,
      textEnc: this.cipher.encryptMessage(id, m.text),
      at: this.clock.now(),
    });
    return { conversation, message: this.views.message(row, m.text), created: true };
  }
}
