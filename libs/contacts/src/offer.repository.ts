import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Db, Tx } from '@kapok/database';

export type OfferStatus = 'open' | 'accepted' | 'declined' | 'expired' | 'revoked';

export interface OfferRow {
  id: string;
  contact_id: string;
  worker_id: string;
  status: OfferStatus;
  created_at: Date;
  expires_at: Date;
  closed_at: Date | null;
  reason: string | null;
}

/**
 * One row per offer of a contact to an operator; at most one open per contact and per operator (unique indexes).
 * Its times, and the expiry checks, are read from the Clock (as the contact's are).
 */
@Injectable()
export class OfferRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async create(tx: Tx, contactId: string, workerId: string, timeoutSeconds: number): Promise<OfferRow> {
    const row = await this.db.one<OfferRow>(
      `INSERT INTO offers (contact_id, worker_id, created_at, expires_at)
       VALUES ($1, $2, $4::timestamptz, $4::timestamptz + make_interval(secs => $3)) RETURNING *`,
      [contactId, workerId, timeoutSeconds, this.clock.now()],
      tx,
    );
    return row!;
  }

  async find(id: string, tx?: Tx): Promise<OfferRow | undefined> {
    return this.db.one<OfferRow>('SELECT * FROM offers WHERE id = $1', [id], tx);
  }

  async findOpenForContact(contactId: string, tx?: Tx): Promise<OfferRow | undefined> {
    return this.db.one<OfferRow>(`SELECT * FROM offers WHERE contact_id = $1 AND status = 'open'`, [contactId], tx);
  }

  async findOpenForWorker(workerId: string, tx?: Tx): Promise<OfferRow | undefined> {
    return this.db.one<OfferRow>(`SELECT * FROM offers WHERE worker_id = $1 AND status = 'open'`, [workerId], tx);
  }

  /**
   * Closes an open offer. `accepted` only succeeds before the expiry time, so an accept racing the expiry job
   * is decided here. Returns false when the offer was no longer open (someone else decided first).
   */
  async close(
    tx: Tx,
    id: string,
    status: Exclude<OfferStatus, 'open'>,
    reason: string | null = null,
  ): Promise<boolean> {
    const res = await this.db.run(
      `UPDATE offers SET status = $2, closed_at = $4, reason = $3
        WHERE id = $1 AND status = 'open' AND ($2 <> 'accepted' OR expires_at > $4)`,
      [id, status, reason, this.clock.now()],
      tx,
    );
    return res.rowCount === 1;
  }

  /**
   * How many offers of this contact in a row, up to the last one, reached nobody (revoked `undelivered`): the pause
   * before it is routed again grows with it.
   */
  async undeliveredInRow(contactId: string, tx: Tx): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM offers
        WHERE contact_id = $1 AND reason = 'undelivered'
          AND created_at > COALESCE((SELECT max(created_at) FROM offers
                                      WHERE contact_id = $1 AND reason IS DISTINCT FROM 'undelivered'), '-infinity')`,
      [contactId],
      tx,
    );
    return row?.n ?? 0;
  }

  /** Open offers past their expiry by more than `graceSeconds` (their expiry job was lost). */
  async overdue(graceSeconds: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM offers WHERE status = 'open' AND expires_at < $2::timestamptz - make_interval(secs => $1) LIMIT 500`,
      [graceSeconds, this.clock.now()],
    );
    return rows.map((r) => r.id);
  }

  /** Every open offer with its expiry (their expiry jobs, if Redis lost them, are added again). */
  async openWithExpiry(): Promise<{ id: string; expires_at: Date }[]> {
    return this.db.rows<{ id: string; expires_at: Date }>(
      `SELECT id, expires_at FROM offers WHERE status = 'open' ORDER BY expires_at`,
    );
  }
}
