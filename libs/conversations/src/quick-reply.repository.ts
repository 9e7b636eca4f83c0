import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Db } from '@kapok/database';

export interface QuickReplyRow {
  station_id: string;
  phrases: string[];
  updated_at: Date;
  updated_by: string;
  updated_by_name: string;
}

/** The `station_quick_replies` table (常用语 per station): written only here. */
@Injectable()
export class QuickReplyRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async find(stationId: string): Promise<QuickReplyRow | undefined> {
    return this.db.one<QuickReplyRow>(
      `SELECT q.*, u.display_name AS updated_by_name FROM station_quick_replies q JOIN users u ON u.id = q.updated_by
        WHERE q.station_id = $1`,
      [stationId],
    );
  }

  /** Sets the station's phrases (an empty list is a list: the station uses none). */
  async save(stationId: string, phrases: string[], userId: string): Promise<void> {
    await this.db.run(
      `INSERT INTO station_quick_replies (station_id, phrases, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (station_id) DO UPDATE SET phrases = $2, updated_at = $3, updated_by = $4`,
      [stationId, phrases, this.clock.now(), userId],
    );
  }

  /** Back to the default phrases. */
  async remove(stationId: string): Promise<void> {
    await this.db.run('DELETE FROM station_quick_replies WHERE station_id = $1', [stationId]);
  }
}
