import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ConversationMessage, MessageSender } from '@kapok/contracts';
import { Clock } from '@kapok/common';
import { Db, Tx, isUniqueViolation } from '@kapok/database';
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
 * Appends messages to a conversation: a resend (same sender and client id) is found and answered with the message
 * stored the first time; otherwise the next number is taken and the message, encrypted, is stored. Committed before
 * anyone is told or acknowledged. A caller's or operator's message takes the fast path, one statement
 * (MessageRepository.appendNow); anything it does not cover (the conversation not open, the contact not held, a
 * racing resend, a whisper or system message) takes the locked path: the conversation's row lock, then the same
 * steps in one transaction, where `check` says why a message is refused.
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
    known?: ConversationWithContact,
  ): Promise<Appended | undefined> {
    if (m.sender === 'caller' || m.sender === 'operator') {
      const fast = await this.appendNow(conversationId, { ...m, sender: m.sender }, check, known);
      if (fast) return fast;
    }
    return this.db.tx((tx) => this.appendIn(tx, conversationId, m, check));
  }

  /** The fast path (one statement); undefined: take the locked path. */
  private async appendNow(
    conversationId: string,
    m: { sender: 'caller' | 'operator'; userId: string | null; clientId: string | null; text: string },
    check: (c: ConversationWithContact) => void,
    known?: ConversationWithContact,
  ): Promise<Appended | undefined> {
    const conversation = known ?? (await this.conversations.find(conversationId));
    if (!conversation || conversation.id !== conversationId || conversation.state !== 'open') return undefined;
    try {
      check(conversation);
    } catch {
      return undefined; // (the locked path checks again, under the lock, and refuses)
    }
    const id = randomUUID();
    try {
      const done = await this.messages.appendNow({
        id,
        conversationId,
        sender: m.sender,
        senderUserId: m.userId,
        clientId: m.clientId,
        textEnc: this.cipher.encryptMessage(id, m.text),
        at: this.clock.now(),
        activity: true,
        holder: m.sender === 'operator' ? m.userId : null,
      });
      if (!done) return undefined;
      const message = done.created ? this.views.message(done.row, m.text) : this.views.message(done.row);
      return { conversation, message, created: done.created };
    } catch (err) {
      if (isUniqueViolation(err)) return undefined; // a resend racing its first: the locked path finds the first
      throw err;
    }
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
