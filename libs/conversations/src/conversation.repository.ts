import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import type { ConversationEndReason, ConversationState, ContactStatus } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { ConversationTransitionName, ConversationTransitions } from './conversation-state-machine';

export interface ConversationRow {
  id: string;
  contact_id: string;
  state: ConversationState;
  end_reason: ConversationEndReason | null;
  last_seq: number;
  last_activity_at: Date;
  caller_seen_at: Date;
  caller_delivered_seq: number;
  caller_read_seq: number;
  operator_delivered_seq: number;
  operator_read_seq: number;
  ended_at: Date | null;
  purged_at: Date | null;
}

/** A conversation with what its contact says about it. */
export interface ConversationWithContact extends ConversationRow {
  contact_status: ContactStatus;
  assigned_worker_id: string | null;
  station_id: string;
  intake_key_id: string;
  channel: string;
}

export type Side = 'caller' | 'operator';
export type Mark = 'delivered' | 'read';

const WITH_CONTACT = `SELECT v.*, c.status AS contact_status, c.assigned_worker_id, c.station_id, c.intake_key_id, c.channel
  FROM conversations v JOIN contacts c ON c.id = v.contact_id`;

/**
 * The `conversations` table: written only here. Times that rules compare (last activity, the caller last seen, the
 * end that starts the retention period) are read from the Clock.
 */
@Injectable()
export class ConversationRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** A new conversation for a text contact; `tokenHash` (the resume token's digest) is null for a WeChat one. */
  async create(c: { id: string; contactId: string; tokenHash: string | null }, tx?: Tx): Promise<ConversationRow> {
    const now = this.clock.now();
    const row = await this.db.one<ConversationRow>(
      `INSERT INTO conversations (id, contact_id, resume_token_hash, last_activity_at, caller_seen_at)
       VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (contact_id) DO UPDATE SET contact_id = EXCLUDED.contact_id
       RETURNING *`,
      [c.id, c.contactId, c.tokenHash, now],
      tx,
    );
    return row!;
  }

  async findByTokenHash(tokenHash: string): Promise<ConversationWithContact | undefined> {
    return this.db.one<ConversationWithContact>(`${WITH_CONTACT} WHERE v.resume_token_hash = $1`, [tokenHash]);
  }

  async findByContact(contactId: string, tx?: Tx): Promise<ConversationWithContact | undefined> {
    return this.db.one<ConversationWithContact>(`${WITH_CONTACT} WHERE v.contact_id = $1`, [contactId], tx);
  }

  async find(id: string, tx?: Tx): Promise<ConversationWithContact | undefined> {
    return this.db.one<ConversationWithContact>(`${WITH_CONTACT} WHERE v.id = $1`, [id], tx);
  }

  async findMany(ids: string[]): Promise<ConversationWithContact[]> {
    if (!ids.length) return [];
    return this.db.rows<ConversationWithContact>(`${WITH_CONTACT} WHERE v.id = ANY($1::uuid[])`, [ids]);
  }

  /** Locks the conversation (and reads its contact) for the rest of the transaction: messages are numbered under it. */
  async lock(id: string, tx: Tx): Promise<ConversationWithContact | undefined> {
    return this.db.one<ConversationWithContact>(`${WITH_CONTACT} WHERE v.id = $1 FOR UPDATE OF v`, [id], tx);
  }

  /**
   * The next message number of a locked open conversation; `activity` (a caller's or operator's message) also
   * restarts the inactivity clock. Undefined when it is no longer open.
   */
  async nextSeq(tx: Tx, id: string, activity: boolean): Promise<number | undefined> {
    const row = await this.db.one<{ last_seq: number }>(
      `UPDATE conversations SET last_seq = last_seq + 1,
              last_activity_at = CASE WHEN $2 THEN $3::timestamptz ELSE last_activity_at END
        WHERE id = $1 AND state = 'open' RETURNING last_seq`,
      [id, activity, this.clock.now()],
      tx,
    );
    return row?.last_seq;
  }

  /** The callers of these conversations have a socket now (while waiting, they have not left). */
  async callersSeen(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.run(`UPDATE conversations SET caller_seen_at = $2 WHERE id = ANY($1::uuid[]) AND state = 'open'`, [
      ids,
      this.clock.now(),
    ]);
  }

  /** Moves one side's delivered or read mark up to `seq` (never down, never past the last message). */
  async mark(id: string, side: Side, mark: Mark, seq: number): Promise<ConversationRow | undefined> {
    const col = `${side}_${mark}_seq`;
    const also =
      mark === 'read' ? `, ${side}_delivered_seq = GREATEST(${side}_delivered_seq, LEAST($2, last_seq))` : '';
    return this.db.one<ConversationRow>(
      `UPDATE conversations SET ${col} = GREATEST(${col}, LEAST($2, last_seq))${also} WHERE id = $1 RETURNING *`,
      [id, seq],
    );
  }

  /** Applies a named transition (conditional update); the row when it changed, else undefined. */
  async transition(
    tx: Tx | undefined,
    id: string,
    name: ConversationTransitionName,
    reason: ConversationEndReason,
  ): Promise<ConversationRow | undefined> {
    const t = ConversationTransitions[name];
    return this.db.one<ConversationRow>(
      `UPDATE conversations SET state = '${t.to}', end_reason = $3, ended_at = $4
        WHERE id = $1 AND state = ANY($2::text[]) RETURNING *`,
      [id, t.from, reason, this.clock.now()],
      tx,
    );
  }

  /**
   * Open conversations of active contacts with no message for their station's idle minutes (chat_idle_minutes, or
   * `defaultMinutes`) at the Clock's now.
   */
  async idle(defaultMinutes: number, limit = 200): Promise<ConversationWithContact[]> {
    return this.db.rows<ConversationWithContact>(
      `${WITH_CONTACT} LEFT JOIN station_settings ss ON ss.station_id = c.station_id
        WHERE v.state = 'open' AND c.status = 'active'
          AND v.last_activity_at <= $2::timestamptz - make_interval(mins => COALESCE(ss.chat_idle_minutes, $1))
        ORDER BY v.last_activity_at LIMIT ${Number(limit)}`,
      [defaultMinutes, this.clock.now()],
    );
  }

  /**
   * Open conversations whose caller left while waiting: their contact is still queued or ringing and no socket of
   * theirs was seen for the station's idle minutes.
   */
  async leftWaiting(defaultMinutes: number, limit = 200): Promise<ConversationWithContact[]> {
    return this.db.rows<ConversationWithContact>(
      `${WITH_CONTACT} LEFT JOIN station_settings ss ON ss.station_id = c.station_id
        WHERE v.state = 'open' AND c.status IN ('queued','offered') AND v.resume_token_hash IS NOT NULL
          AND v.caller_seen_at <= $2::timestamptz - make_interval(mins => COALESCE(ss.chat_idle_minutes, $1))
        ORDER BY v.caller_seen_at LIMIT ${Number(limit)}`,
      [defaultMinutes, this.clock.now()],
    );
  }

  /** Open conversations whose contact ended by another way (the operator's end, an outcome, an abandon). */
  async contactGone(limit = 200): Promise<ConversationWithContact[]> {
    return this.db.rows<ConversationWithContact>(
      `${WITH_CONTACT} WHERE v.state = 'open' AND c.status IN ('wrap_up','completed','abandoned') LIMIT ${Number(limit)}`,
    );
  }

  /**
   * Web chat contacts still waiting with no conversation a minute after they were queued: the conversation's insert
   * failed after intake (nobody can reach them). Abandoned by the sweep.
   */
  async orphans(intakeKeyId: string, limit = 100): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT c.id FROM contacts c
        WHERE c.intake_key_id = $1 AND c.status IN ('queued','offered') AND c.queued_at < $2::timestamptz - interval '1 minute'
          AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.contact_id = c.id)
        LIMIT ${Number(limit)}`,
      [intakeKeyId, this.clock.now()],
    );
    return rows.map((r) => r.id);
  }

  /** Ended conversations whose text is past the retention period and not purged yet. */
  async pastRetention(days: number, limit = 200): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM conversations WHERE purged_at IS NULL AND state = 'ended'
          AND ended_at <= $2::timestamptz - make_interval(days => $1) ORDER BY ended_at LIMIT ${Number(limit)}`,
      [days, this.clock.now()],
    );
    return rows.map((r) => r.id);
  }

  async markPurged(tx: Tx, id: string): Promise<boolean> {
    const res = await this.db.run(
      'UPDATE conversations SET purged_at = $2 WHERE id = $1 AND purged_at IS NULL',
      [id, this.clock.now()],
      tx,
    );
    return res.rowCount === 1;
  }

  /**
   * How many wait ahead of each of these contacts at their line's station (queued or ringing, higher priority or
   * longer waiting: the order of the waiting line, ties by id as routing breaks them), and whether each still waits.
   */
  async positions(contactIds: string[]): Promise<{ contact_id: string; status: ContactStatus; ahead: number }[]> {
    if (!contactIds.length) return [];
    return this.db.rows(
      `SELECT c.id AS contact_id, c.status,
              (SELECT count(*)::int FROM contacts o
                WHERE o.station_id = c.station_id AND o.status IN ('queued','offered') AND o.id <> c.id
                  AND (o.priority > c.priority
                       OR (o.priority = c.priority AND (o.queued_at, o.id) < (c.queued_at, c.id)))) AS ahead
         FROM contacts c WHERE c.id = ANY($1::uuid[])`,
      [contactIds],
    );
  }

  /**
   * The mean seconds from queued to answered of the station's text contacts answered in the last hour (Clock), or
   * null when none was: the base of the caller's estimate.
   */
  async recentWaitSeconds(stationId: string): Promise<number | null> {
    const row = await this.db.one<{ s: number | null }>(
      `SELECT avg(extract(epoch FROM answered_at - queued_at))::float8 AS s FROM contacts
        WHERE station_id = $1 AND channel <> 'phone' AND answered_at > $2::timestamptz - interval '1 hour'`,
      [stationId, this.clock.now()],
    );
    return row?.s ?? null;
  }
}
