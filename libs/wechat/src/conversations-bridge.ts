import { BadRequestException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ReceiveContact } from '@kapok/contacts';
import {
  ConversationDelivery,
  ConversationLog,
  ConversationRepository,
  ConversationViews,
  MessageRepository,
  SendCallerMessage,
} from '@kapok/conversations';
import { WECHAT_CLIENT_ID_PREFIX, WechatConversations } from './wechat-conversations.port';

/** The built-in intake key of WeChat contacts (migration 1765200000000-wechat): no key, nothing authenticates with it. */
export const WECHAT_INTAKE_KEY_ID = '00000000-0000-4000-8000-0000000c4a71';

/**
 * WechatConversations on the conversations library: the contact through the usual intake (ReceiveContact: line
 * checks, continuity, routing trigger, risk alerts) under WeChat's built-in intake key and the push's externalId, its
 * conversation without a resume token (a WeChat user has no browser to keep one), and messages through the same
 * use-cases as the web chat's.
 */
@Injectable()
export class ConversationsBridge extends WechatConversations {
  constructor(
    private readonly receive: ReceiveContact,
    private readonly conversations: ConversationRepository,
    private readonly sendCaller: SendCallerMessage,
    private readonly messages: MessageRepository,
    private readonly views: ConversationViews,
    private readonly log: ConversationLog,
    private readonly delivery: ConversationDelivery,
  ) {
    super();
  }

  async open(input: { hotlineNumber: string; externalId: string }) {
    const { contact } = await this.receive.execute(WECHAT_INTAKE_KEY_ID, {
      hotlineNumber: input.hotlineNumber,
      channel: 'wechat',
      externalId: input.externalId,
    });
    // A replay of the same push finds the contact; create() then answers its existing conversation.
    const conversation = await this.conversations.create({ id: randomUUID(), contactId: contact.id, tokenHash: null });
    return { contactId: contact.id, conversationId: conversation.id };
  }

  async isOpen(conversationId: string): Promise<boolean> {
    return (await this.conversations.find(conversationId))?.state === 'open';
  }

  async callerMessage(conversationId: string, clientId: string, text: string): Promise<'stored' | 'ended'> {
    const ack = await this.sendCaller.execute(conversationId, { clientId, text });
    if (ack.ok) return 'stored';
    if (ack.error.startsWith('conversation_ended')) return 'ended';
    throw new BadRequestException(`Content: ${ack.error}`);
  }

  async systemNote(conversationId: string, clientId: string, text: string): Promise<void> {
    const appended = await this.log.append(conversationId, { sender: 'system', userId: null, clientId, text });
    if (appended?.created) this.delivery.message(appended.conversation, appended.message);
  }

  async outgoing(conversationId: string, messageId: string) {
    const row = (await this.messages.list(conversationId, 0, false)).find((m) => m.id === messageId);
    // Only what the operator (or the system, e.g. an idle close) said; never a whisper or this adapter's own notes.
    if (!row || !row.text_enc || (row.sender !== 'operator' && row.sender !== 'system')) return null;
    if (row.client_id?.startsWith(WECHAT_CLIENT_ID_PREFIX)) return null;
    const text = this.views.message(row).text;
    return text ? { conversationId: row.conversation_id, text } : null;
  }
}
