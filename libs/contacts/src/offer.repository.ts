import { Injectable } from '@nestjs/common';
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

/** One row per offer of a contact to an operator; at most one open per contact and per operator (unique indexes). */
@Injectable()
export class OfferRepository {
  constructor(private readonly db: Db) {}

  async create(tx: Tx, contactId: string, workerId: string, timeoutSeconds: number): Promise<OfferRow> {
    const row = await this.db.one<OfferRow>(
      `INSERT INTO offers (contact_id, worker_id, created_at, expires_at)
       VALUES ($1, $2, clock_timestamp(), clock_timestamp() + make_interval(secs => $3)) RETURNING *`,
      [contactId, workerId, timeoutSeconds],
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
      `UPDATE offers SET status = $2, closed_at = clock_timestamp(), reason = $3
        WHERE id = $1 AND status = 'open' AND ($2 <> 'accepted' OR expires_at > clock_timestamp())`,
      [id, status, reason],
      tx,
    );
    return res.rowCount === 1;
  }

  /** Open offers past their expiry by more than `graceSeconds` (their expiry job was lost). */
  async overdue(graceSeconds: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM offers WHERE status = 'open' AND expires_at < now() - make_interval(secs => $1) LIMIT 500`,
      [graceSeconds],
    );
    return rows.map((r) => r.id);
  }
}
