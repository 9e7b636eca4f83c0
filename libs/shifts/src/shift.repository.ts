import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';

export interface ShiftRow {
  id: string;
  station_id: string;
  worker_id: string;
  worker_name: string;
  username: string;
  starts_at: Date;
  ends_at: Date;
  created_by: string | null;
  created_at: Date;
}

export const toShiftView = (r: ShiftRow) => ({
  id: r.id,
  stationId: r.station_id,
  workerId: r.worker_id,
  username: r.username,
  workerName: r.worker_name,
  startsAt: new Date(r.starts_at).toISOString(),
  endsAt: new Date(r.ends_at).toISOString(),
});
export type ShiftView = ReturnType<typeof toShiftView>;

const SELECT = `SELECT s.*, u.display_name AS worker_name, u.username FROM shifts s JOIN users u ON u.id = s.worker_id`;

@Injectable()
export class ShiftRepository {
  constructor(private readonly db: Db) {}

  async create(
    s: { stationId: string; workerId: string; startsAt: Date; endsAt: Date; createdBy: string },
    tx?: Tx,
  ): Promise<ShiftRow> {
    const row = await this.db.one<{ id: string }>(
      `INSERT INTO shifts (station_id, worker_id, starts_at, ends_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [s.stationId, s.workerId, s.startsAt, s.endsAt, s.createdBy],
      tx,
    );
    return (await this.db.one<ShiftRow>(`${SELECT} WHERE s.id = $1`, [row!.id], tx))!;
  }

  async find(id: string): Promise<ShiftRow | undefined> {
    return this.db.one<ShiftRow>(`${SELECT} WHERE s.id = $1`, [id]);
  }

  async list(stationId: string, from: Date, to: Date): Promise<ShiftRow[]> {
    return this.db.rows<ShiftRow>(
      `${SELECT} WHERE s.station_id = $1 AND s.ends_at > $2 AND s.starts_at < $3 ORDER BY s.starts_at, u.username`,
      [stationId, from, to],
    );
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM shifts WHERE id = $1', [id])).rowCount === 1;
  }

  async deleteBetween(tx: Tx, stationId: string, from: Date, to: Date): Promise<number> {
    return (
      await this.db.run(
        'DELETE FROM shifts WHERE station_id = $1 AND starts_at >= $2 AND starts_at < $3',
        [stationId, from, to],
        tx,
      )
    ).rowCount;
  }

  /** Operators of the station by username (the roster CSV names people by username). */
  async operatorsOf(stationId: string): Promise<Map<string, string>> {
    const rows = await this.db.rows<{ id: string; username: string }>(
      `SELECT id, lower(username) AS username FROM users WHERE org_unit_id = $1 AND role = 'operator' AND active`,
      [stationId],
    );
    return new Map(rows.map((r) => [r.username, r.id]));
  }
}
