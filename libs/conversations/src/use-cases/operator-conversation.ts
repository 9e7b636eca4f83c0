import { Injectable } from '@nestjs/common';
import type { AgentAck, ConversationMessage } from '@kapok/contracts';
import { AuthUser } from '@kapok/auth';
import { ConversationDelivery } from '../conversation-delivery';
import { ConversationLog } from '../conversation-log';
import { ConversationRepository, ConversationWithContact } from '../conversation.repository';
import { ConversationViews, UUID, checkMessage, checkSeq } from '../conversation.views';
import { MessageRepository } from '../message.repository';
import { MarkMessages, SignalTyping } from './caller-conversation';

/** The contact statuses in which the operator assigned to it may read its conversation (ringing included). */
const READABLE = new Set(['offered', 'active', 'wrap_up']);

class Refused extends Error {}

/**
 * The operator's side of a conversation (`/agent`): only the operator the contact is assigned to (ringing, talking or
 * wrapping up) reads it; only while it is active do they write to it.
 */
@Injectable()
export class OperatorConversations {
  constructor(private readonly conversations: ConversationRepository) {}

  /** The conversation of a contact this operator holds, or the ack error saying why not. */
  async held(user: AuthUser, contactId: unknown): Promise<ConversationWithContact | { error: string }> {
    if (typeof contactId !== 'string' || !UUID.test(contactId)) {
      return { error: 'invalid_payload: contactId must be a contact id (uuid)' };
    }
    const c = await this.conversations.findByContact(contactId);
    if (!c || c.assigned_worker_id !== user.id || !READABLE.has(c.contact_status)) {
      return { error: 'not_found: no conversation of a contact you hold' };
    }
    return c;
  }
}

@Injectable()
export class SendOperatorMessage {
  constructor(
    private readonly operators: OperatorConversations,
    private readonly log: ConversationLog,
    private readonly delivery: ConversationDelivery,
  ) {}

  async execute(user: AuthUser, payload: unknown): Promise<AgentAck<'message:send'>> {
    const checked = checkMessage(payload, { contactId: true });
    if ('error' in checked) return { ok: false, error: checked.error };
    const c = await this.operators.held(user, checked.contactId);
    if ('error' in c) return { ok: false, error: c.error };
    try {
      const appended = await this.log.append(
        c.id,
        { sender: 'operator', userId: user.id, clientId: checked.clientId, text: checked.text },
        (locked) => {
          // a resend of a message stored before the contact moved on is still answered (below, by its client id)
          if (locked.assigned_worker_id !== user.id || locked.contact_status !== 'active') {
            throw new Refused(`contact_not_active: the contact is ${locked.contact_status}`);
          }
        },
        c,
      );
      if (!appended) return { ok: false, error: 'conversation_ended: the conversation has ended' };
      if (appended.created) this.delivery.message(appended.conversation, appended.message);
      return { ok: true, id: appended.message.id, seq: appended.message.seq };
    } catch (err) {
      if (err instanceof Refused) return { ok: false, error: err.message };
      throw err;
    }
  }
}

@Injectable()
export class GetOperatorHistory {
  constructor(
    private readonly operators: OperatorConversations,
    private readonly messages: MessageRepository,
    private readonly views: ConversationViews,
  ) {}

  async execute(user: AuthUser, payload: unknown): Promise<AgentAck<'history:get'>> {
    const p = (payload ?? {}) as { contactId?: unknown; afterSeq?: unknown };
    const after = checkSeq(p.afterSeq, 'afterSeq', 0);
    if ('error' in after) return { ok: false, error: after.error };
    const c = await this.operators.held(user, p.contactId);
    if ('error' in c) return { ok: false, error: c.error };
    const messages: ConversationMessage[] = (await this.messages.list(c.id, after.value, true)).map((r) =>
      this.views.message(r),
    );
    return { ok: true, messages };
  }
}

@Injectable()
export class OperatorMarksAndTyping {
  constructor(
    private readonly operators: OperatorConversations,
    private readonly marks: MarkMessages,
    private readonly typingSignal: SignalTyping,
  ) {}

  async mark(user: AuthUser, mark: 'delivered' | 'read', payload: unknown) {
    const c = await this.operators.held(user, (payload as { contactId?: unknown } | undefined)?.contactId);
    if ('error' in c) return { ok: false as const, error: c.error };
    return this.marks.execute(c.id, 'operator', mark, payload);
  }

  async typing(user: AuthUser, payload: unknown) {
    const c = await this.operators.held(user, (payload as { contactId?: unknown } | undefined)?.contactId);
    if ('error' in c) return { ok: false as const, error: c.error };
    return this.typingSignal.execute(c.id, 'operator', payload);
  }
}
