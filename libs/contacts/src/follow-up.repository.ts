import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Db, Tx } from '@kapok/database';
import {
  FollowUpStatus,
  FollowUpTransition,
  FollowUpTransitionName,
  FollowUpTransitions,
} from './follow-up-state-machine';

export interface FollowUpRow {
  id: string;
  source_contact_id: string;
  worker_id: string;
  station_id: string;
  due_at: Date;
  note: string;
  status: FollowUpStatus;
  contact_id: string | null;
  created_at: Date;
  completed_at: Date | null;
}

/**
 * A callback promised in an outcome: the one writer of `follow_ups`. Its life is the follow-up state machine
 * (follow-up-state-machine.ts): at its due time it becomes an outbound contact (contact_created), offered first to
 * the operator who recorded it; the outcome of that contact, or completing it by hand, makes it done.
 */
@Injectable()
export class FollowUpRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

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

  /**
   * Applies a named transition as a conditional update (`… WHERE status = ANY(from)`, and the transition's own
   * condition). Returns the updated row, or undefined when the follow-up was not in a state the transition starts
   * from: nothing changed, and the caller acts only on a row.
   */
  async transition(
    tx: Tx,
    id: string,
    name: FollowUpTransitionName,
    opts: { contactId?: string | null } = {},
  ): Promise<FollowUpRow | undefined> {
    const t: FollowUpTransition = FollowUpTransitions[name];
    const params: unknown[] = [id, t.from, this.clock.now()];
    if (t.set.includes('$4')) params.push(opts.contactId ?? null);
    return this.db.one<FollowUpRow>(
      `UPDATE follow_ups SET status = '${t.to}'${t.set ? `, ${t.set}` : ''}
        WHERE id = $1 AND status = ANY($2::text[])${t.when ? ` AND ${t.when}` : ''}
        RETURNING *`,
      params,
      tx,
    );
  }

  /** Links the outbound contact created for it (in the transaction of `createContact`). */
  async linkContact(tx: Tx, id: string, contactId: string): Promise<void> {
    await this.db.run(
      `UPDATE follow_ups SET contact_id = $2 WHERE id = $1 AND status = '${FollowUpTransitions.createContact.to}'`,
      [id, contactId],
      tx,
    );
  }

  /** Follow-ups past due whose outbound contact was not created (their job was lost). */
  async overdueScheduled(limit = 200): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM follow_ups WHERE status = 'scheduled' AND due_at <= $2 ORDER BY due_at LIMIT $1`,
      [limit, this.clock.now()],
    );
    return rows.map((r) => r.id);
  }

  /** Follow-ups still waiting for their moment, with it (their delayed jobs, if Redis lost them, are added again). */
  async pendingScheduled(): Promise<{ id: string; due_at: Date }[]> {
    return this.db.rows<{ id: string; due_at: Date }>(
      `SELECT id, due_at FROM follow_ups WHERE status = 'scheduled' AND due_at > $1 ORDER BY due_at`,
      [this.clock.now()],
    );
  }
}
