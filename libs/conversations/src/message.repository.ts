import { Injectable } from '@nestjs/common';
import type { MessageSender } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  sender: MessageSender;
  sender_user_id: string | null;
  client_id: string | null;
  /** AES-256-GCM (MessageTextCipher); null once the retention period purged it. */
  text_enc: Buffer | null;
  created_at: Date;
}

export interface NewMessage {
  id: string;
  conversationId: string;
  seq: number;
  sender: MessageSender;
  senderUserId: string | null;
  clientId: string | null;
  textEnc: Buffer;
  at: Date;
}

/** The `messages` table: written only here. The text is never here in plain form (MessageTextCipher). */
@Injectable()
export class MessageRepository {
  constructor(private readonly db: Db) {}

  /**
   * The fast path of a caller's or operator's message (ConversationLog.append): in ONE statement, when the
   * conversation is open (and, with `holder`, its contact is active and held by that operator), either the message
   * this sender already sent with this client id (a resend: `created` false) or the new message, numbered by the
   * conversation's counter (`last_seq`, advanced — with the inactivity clock when `activity` — in the same statement:
   * the one place outside ConversationRepository that writes `conversations`, so that numbering and storing are one
   * atomic step) and stored. Undefined when a condition does not hold: the caller takes the locked path, which says
   * why. Two resends racing: the second fails on the client-id index and is answered by the first (caller's retry).
   */
  async appendNow(
    m: Omit<NewMessage, 'seq'> & { activity: boolean; holder: string | null },
  ): Promise<{ row: MessageRow; created: boolean } | undefined> {
    const row = await this.db.one<MessageRow & { created: boolean }>(
      `WITH target AS (
         SELECT v.id FROM conversations v JOIN contacts c ON c.id = v.contact_id
          WHERE v.id = $2 AND v.state = 'open'
            AND ($9::uuid IS NULL OR (c.assigned_worker_id = $9::uuid AND c.status = 'active'))
       ),
       sent AS (
         SELECT m.* FROM messages m
          WHERE m.conversation_id = $2 AND m.sender = $3 AND m.client_id = $5 AND EXISTS (SELECT 1 FROM target)
       ),
       numbered AS (
         UPDATE conversations SET last_seq = last_seq + 1,
                last_activity_at = CASE WHEN $8 THEN $7::timestamptz ELSE last_activity_at END
          WHERE id = (SELECT id FROM target) AND state = 'open' AND NOT EXISTS (SELECT 1 FROM sent)
          RETURNING last_seq
       ),
       inserted AS (
         INSERT INTO messages (id, conversation_id, seq, sender, sender_user_id, client_id, text_enc, created_at)
         SELECT $1, $2, last_seq, $3, $4, $5, $6, $7 FROM numbered
         RETURNING *
       )
       SELECT *, false AS created FROM sent UNION ALL SELECT *, true AS created FROM inserted`,
      [m.id, m.conversationId, m.sender, m.senderUserId, m.clientId, m.textEnc, m.at, m.activity, m.holder],
    );
    if (!row) return undefined;
    const { created, ...message } = row;
    return { row: message, created };
  }

  /** The message this sender already sent with this client id (a resend), if any. */
  async findSent(
    tx: Tx,
    conversationId: string,
    sender: MessageSender,
    clientId: string,
  ): Promise<MessageRow | undefined> {
    return this.db.one<MessageRow>(
      'SELECT * FROM messages WHERE conversation_id = $1 AND sender = $2 AND client_id = $3',
      [conversationId, sender, clientId],
      tx,
    );
  }

  async insert(tx: Tx, m: NewMessage): Promise<MessageRow> {
    const row = await this.db.one<MessageRow>(
      `INSERT INTO messages (id, conversation_id, seq, sender, sender_user_id, client_id, text_enc, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [m.id, m.conversationId, m.seq, m.sender, m.senderUserId, m.clientId, m.textEnc, m.at],
      tx,
    );
    return row!;
  }

  /** Messages after `afterSeq`, in order; without whispers unless asked (the caller never gets them). */
  async list(conversationId: string, afterSeq: number, withWhispers: boolean, limit = 1000): Promise<MessageRow[]> {
    return this.db.rows<MessageRow>(
      `SELECT * FROM messages WHERE conversation_id = $1 AND seq > $2 AND ($3 OR sender <> 'whisper')
        ORDER BY seq LIMIT ${Number(limit)}`,
      [conversationId, afterSeq, withWhispers],
    );
  }

  /** The caller's first message (what an offer shows). */
  async firstFromCaller(conversationId: string): Promise<MessageRow | undefined> {
    return this.db.one<MessageRow>(
      `SELECT * FROM messages WHERE conversation_id = $1 AND sender = 'caller' ORDER BY seq LIMIT 1`,
      [conversationId],
    );
  }

  async count(conversationId: string): Promise<number> {
    const row = await this.db.one<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [
      conversationId,
    ]);
    return row?.n ?? 0;
  }

  /** The retention period is over: every message's text is removed (the rows, numbers and times stay). */
  async purgeText(tx: Tx, conversationId: string): Promise<number> {
    const res = await this.db.run(
      'UPDATE messages SET text_enc = NULL WHERE conversation_id = $1 AND text_enc IS NOT NULL',
      [conversationId],
      tx,
    );
    return res.rowCount ?? 0;
  }
}
