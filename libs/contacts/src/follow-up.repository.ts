import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';

export interface FollowUpRow {
  id: string;
  source_contact_id: string;
  worker_id: string;
  station_id: string;
  due_at: Date;
  note: string;
  status: 'scheduled' | 'contact_created' | 'done' | 'cancelled';
  contact_id: string | null;
  created_at: Date;
  completed_at: Date | null;
}

/**
 * A callback promised in an outcome. At its due time it becomes an outbound contact (status contact_created),
 * offered first to the operator who recorded it; the outcome of that contact completes it (done).
 */
@Injectable()
export class FollowUpRepository {
  constructor(private readonly db: Db) {}

  async schedule(
    tx: Tx,
    f: { sourceContactId: string; workerId: string; stationId: string; dueAt: Date; note: string },
  ): Promise<FollowUpRow> {
    const row = await this.db.one<FollowUpRow>(
      `INSERT INTO follow_ups (source_contact_id, worker_id, station_id, due_at, note)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [f.sourceContactId, f.workerId, f.stationId, f.dueAt, f.note],
      tx,
    );
    return row!;
  }

  async find(id: string, tx?: Tx): Promise<FollowUpRow | undefined> {
    return this.db.one<FollowUpRow>('SELECT * FROM follow_ups WHERE id = $1', [id], tx);
  }

  async markDone(tx: Tx, id: string): Promise<void> {
    await this.db.run(
      `UPDATE follow_ups SET status = 'done', completed_at = now() WHERE id = $1 AND status = 'contact_created'`,
      [id],
      tx,
    );
  }

  /** Follow-ups past due whose outbound contact was not created (their job was lost). */
  async overdueScheduled(limit = 200): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM follow_ups WHERE status = 'scheduled' AND due_at <= now() ORDER BY due_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}
