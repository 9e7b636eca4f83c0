import { Injectable, Logger } from '@nestjs/common';
import type { ChatMessage, ConversationMessage, MessageSender } from '@kapok/contracts';
import { MESSAGE_MAX_CHARS } from '@kapok/contracts';
import { MessageRow } from './message.repository';
import { MessageTextCipher } from './message-text-cipher';

/** Messages as the API shows them: decrypted here, and only here. */
@Injectable()
export class ConversationViews {
  private readonly logger = new Logger(ConversationViews.name);

  constructor(private readonly cipher: MessageTextCipher) {}

  message(row: MessageRow, text?: string): ConversationMessage {
    return {
      id: row.id,
      seq: row.seq,
      from: row.sender,
      text: text ?? this.text(row),
      at: new Date(row.created_at).toISOString(),
      senderId: row.sender_user_id,
    };
  }

  /** What the caller sees of a message (never a whisper, never who wrote it). */
  forCaller(m: ConversationMessage): ChatMessage {
    return { id: m.id, seq: m.seq, from: m.from as ChatMessage['from'], text: m.text, at: m.at };
  }

  /** '' once purged (or, should it ever happen, when it does not decrypt: logged without the text). */
  private text(row: MessageRow): string {
    if (!row.text_enc) return '';
    try {
      return this.cipher.decryptMessage(row.id, row.text_enc);
    } catch (err) {
      this.logger.error(`message ${row.id} does not decrypt: ${(err as Error).message}`);
      return '';
    }
  }
}

/** A message to send, checked: the error for an ack (`invalid_payload: …`, `text_too_long: …`) or the values. */
export function checkMessage(
  payload: unknown,
  opts: { contactId?: boolean } = {},
): { error: string } | { clientId: string; text: string; contactId: string } {
  const p = (payload ?? {}) as Record<string, unknown>;
  if (typeof payload !== 'object' || payload === null) return { error: 'invalid_payload: an object is expected' };
  if (opts.contactId && (typeof p.contactId !== 'string' || !UUID.test(p.contactId))) {
    return { error: 'invalid_payload: contactId must be a contact id (uuid)' };
  }
  if (typeof p.clientId !== 'string' || !p.clientId.length || p.clientId.length > 64) {
    return { error: 'invalid_payload: clientId must be a string of 1 to 64 characters' };
  }
  if (typeof p.text !== 'string') return { error: 'invalid_payload: text must be a string' };
  const length = [...p.text].length;
  if (length > MESSAGE_MAX_CHARS) {
    return {
      error: `text_too_long: at most ${MESSAGE_MAX_CHARS} characters (消息最多 ${MESSAGE_MAX_CHARS} 字), got ${length}`,
    };
  }
  if (!p.text.trim()) return { error: 'invalid_payload: text is empty' };
  if (p.text.includes('\u0000')) return { error: 'invalid_payload: text contains a NUL character' };
  return { clientId: p.clientId, text: p.text, contactId: (p.contactId as string) ?? '' };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A non-negative whole number (`afterSeq`, `seq`), or the default when absent. */
export function checkSeq(v: unknown, name: string, dflt?: number): { error: string } | { value: number } {
  if (v === undefined || v === null) {
    return dflt === undefined ? { error: `invalid_payload: ${name} is required` } : { value: dflt };
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2_147_483_647) {
    return { error: `invalid_payload: ${name} must be a whole number ≥ 0` };
  }
  return { value: v };
}

export type { MessageSender };
