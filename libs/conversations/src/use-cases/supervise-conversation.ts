import { Injectable } from '@nestjs/common';
import type { ConversationMessage, MonitorAck } from '@kapok/contracts';
import { AuthUser } from '@kapok/auth';
import { OrgAccess } from '@kapok/org';
import { AuditLogRepository } from '@kapok/records';
import { ConversationDelivery } from '../conversation-delivery';
import { ConversationLog } from '../conversation-log';
import { ConversationRepository, ConversationWithContact } from '../conversation.repository';
import { ConversationViews, UUID, checkMessage } from '../conversation.views';
import { MessageRepository } from '../message.repository';

class Refused extends Error {}

/**
 * A supervisor over the contact's station (OrgScope: their supervised stations and below) may watch a live text
 * conversation silently and whisper to its operator; the caller never receives a whisper. Watching is a transcript
 * read outside the conversation's own operator: it is audited (`transcript.read`, `live: true`).
 */
@Injectable()
export class SuperviseConversation {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly org: OrgAccess,
    private readonly audit: AuditLogRepository,
    private readonly log: ConversationLog,
    private readonly delivery: ConversationDelivery,
    private readonly views: ConversationViews,
  ) {}

  /** The live conversation this supervisor may watch, or the ack error saying why not. */
  async watchable(user: AuthUser, contactId: unknown): Promise<ConversationWithContact | { error: string }> {
    if (typeof contactId !== 'string' || !UUID.test(contactId)) {
      return { error: 'invalid_payload: contactId must be a contact id (uuid)' };
    }
    if (user.role !== 'supervisor') return { error: 'forbidden: watching a conversation is for supervisors' };
    const c = await this.conversations.findByContact(contactId);
    if (!c || !(await this.org.containsUnit(await this.org.scopeOf(user), c.station_id))) {
      return { error: 'not_found: no conversation of a contact in your stations' };
    }
    if (c.state !== 'open') return { error: 'conversation_ended: the conversation has ended' };
    return c;
  }

  /** Starts watching: the conversation so far (whispers included). The socket then joins the watch room. */
  async watch(user: AuthUser, payload: unknown): Promise<MonitorAck<'conversation:watch'>> {
    const c = await this.watchable(user, (payload as { contactId?: unknown } | undefined)?.contactId);
    if ('error' in c) return { ok: false, error: c.error };
    await this.audit.write(undefined, {
      actor: user,
      action: 'transcript.read',
      subjectType: 'contact',
      subjectId: c.contact_id,
      contactId: c.contact_id,
      stationId: c.station_id,
      detail: { conversationId: c.id, live: true },
    });
    const messages: ConversationMessage[] = (await this.messages.list(c.id, 0, true)).map((r) => this.views.message(r));
    return { ok: true, messages };
  }

  async whisper(user: AuthUser, payload: unknown): Promise<MonitorAck<'conversation:whisper'>> {
    const checked = checkMessage(payload, { contactId: true });
    if ('error' in checked) return { ok: false, error: checked.error };
    const c = await this.watchable(user, checked.contactId);
    if ('error' in c) return { ok: false, error: c.error };
    try {
      const appended = await this.log.append(
        c.id,
        { sender: 'whisper', userId: user.id, clientId: checked.clientId, text: checked.text },
        (locked) => {
          if (locked.contact_status !== 'active') {
            throw new Refused(`contact_not_active: the contact is ${locked.contact_status}: nobody to whisper to`);
          }
        },
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
