import { Injectable, NotFoundException } from '@nestjs/common';
import type { TranscriptLink, TranscriptView, TransferTarget, TransferView } from '@kapok/contracts';
import { AuthUser } from '@kapok/auth';
import { AuditLogRepository, RecordAccess, RecordRepository } from '@kapok/records';
import { ConversationRepository } from '../conversation.repository';
import { ConversationViews } from '../conversation.views';
import { MessageRepository } from '../message.repository';
import { MessageTextCipher } from '../message-text-cipher';
import { TransferRepository, TransferRow } from '../transfer.repository';

/** A transfer as the receiving side and the transcript show it (the note decrypted). */
export function transferView(t: TransferRow, cipher: MessageTextCipher): TransferView {
  const to: TransferTarget = t.to_user_id
    ? { userId: t.to_user_id }
    : t.to_unit_id
      ? { orgUnitId: t.to_unit_id }
      : { supervisor: true };
  let note: string | null = null;
  if (t.note_enc) {
    try {
      note = cipher.decryptNote(t.id, t.note_enc);
    } catch {
      note = null;
    }
  }
  return { fromUserId: t.from_user_id, to, note, at: new Date(t.created_at).toISOString() };
}

/**
 * A text contact's transcript (`GET /api/records/:contactId/transcript`), under the records' access policy
 * (RecordAccess: the contact's station in the reader's part of the tree, or they handled or recorded it). Anyone
 * other than the conversation's own operators (the one holding it and those who wrote in it) is audited
 * (`transcript.read`) before the text is returned.
 */
@Injectable()
export class ReadTranscript {
  constructor(
    private readonly records: RecordAccess,
    private readonly recordRows: RecordRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly transfers: TransferRepository,
    private readonly views: ConversationViews,
    private readonly cipher: MessageTextCipher,
    private readonly audit: AuditLogRepository,
  ) {}

  async execute(contactId: string, user: AuthUser): Promise<TranscriptView> {
    const scope = await this.records.scopeOf(user);
    const contact = await this.records.ensureVisible(
      user,
      scope,
      await this.recordRows.find(contactId),
      (r) => ({ stationId: r.station_id, assignedWorkerId: r.assigned_worker_id, authorId: r.author_id }),
      { what: 'Contact' },
    );
    const conversation = await this.conversations.findByContact(contactId);
    if (!conversation) throw new NotFoundException('This contact has no transcript (not a text contact)');
    const rows = await this.messages.list(conversation.id, 0, true, 100_000);
    const own =
      contact.assigned_worker_id === user.id ||
      rows.some((m) => m.sender === 'operator' && m.sender_user_id === user.id);
    if (!own) {
      await this.audit.write(undefined, {
        actor: user,
        action: 'transcript.read',
        subjectType: 'contact',
        subjectId: contactId,
        contactId,
        stationId: contact.station_id,
        detail: { conversationId: conversation.id },
      });
    }
    return {
      contactId,
      conversationId: conversation.id,
      purgedAt: conversation.purged_at ? new Date(conversation.purged_at).toISOString() : null,
      messages: rows.map((r) => this.views.message(r)),
      transfers: (await this.transfers.forContact(contactId)).map((t) => transferView(t, this.cipher)),
    };
  }
}

/** The record's link to its transcript (an additive field of `GET /api/records/:contactId`); null for a phone contact. */
@Injectable()
export class TranscriptLinkOf {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
  ) {}

  async execute(contactId: string): Promise<TranscriptLink | null> {
    const c = await this.conversations.findByContact(contactId);
    if (!c) return null;
    return {
      conversationId: c.id,
      messageCount: await this.messages.count(c.id),
      purgedAt: c.purged_at ? new Date(c.purged_at).toISOString() : null,
    };
  }
}
