import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ChatSessionCreated } from '@kapok/contracts';
import { ReceiveContact } from '@kapok/contacts';
import { ConversationRepository } from '../conversation.repository';

/** The built-in intake key of the web chat (migration 1765100000000): its contacts are the web chat's. */
export const WEB_CHAT_INTAKE_KEY_ID = '00000000-0000-4000-8000-0000000c4a70';

/** The resume token as stored: its SHA-256 digest (the token is a 256-bit random secret). */
export const digestResumeToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * A person starts a web chat (`POST /api/chat/sessions`): a `chat` contact is queued through the usual intake
 * (ReceiveContact: line checks, continuity, routing trigger, risk alerts), then its conversation is stored with the
 * digest of a new resume token. The token goes back to the browser once; only its digest is kept.
 *
 * The contact's externalId is `chat:<conversationId>`: should the conversation's insert fail after the contact was
 * queued, the contact is queued without a conversation and the conversation sweep abandons it (nobody can reach it).
 */
@Injectable()
export class StartChatSession {
  constructor(
    private readonly receive: ReceiveContact,
    private readonly conversations: ConversationRepository,
  ) {}

  async execute(body: { hotlineNumber: string; language?: string; topics?: string[] }): Promise<ChatSessionCreated> {
    const conversationId = randomUUID();
    const resumeToken = randomBytes(32).toString('base64url');
    const { contact } = await this.receive.execute(WEB_CHAT_INTAKE_KEY_ID, {
      hotlineNumber: body.hotlineNumber,
      channel: 'chat',
      externalId: `chat:${conversationId}`,
      language: body.language,
      topics: body.topics,
    });
    await this.conversations.create({
      id: conversationId,
      contactId: contact.id,
      tokenHash: digestResumeToken(resumeToken),
    });
    return { conversationId, contactId: contact.id, resumeToken };
  }
}
