import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';

/** Who can take a contact now: available, connected, holding nothing. */
@Injectable()
export class OperatorPool {
  constructor(private readonly db: Db) {}

  /**
   * Locks and returns the station's operator idle longest who can take this contact. Operators this contact was
   * already offered to come last (the least recently first), so a declined or missed contact goes to the next
   * operator and is never stuck while anyone is free.
   */
  async lockLongestIdle(stationId: string, contactId: string, tx: Tx): Promise<string | undefined> {
    const row = await this.db.one<{ user_id: string }>(
      `SELECT a.user_id FROM agent_states a
        WHERE a.station_id = $1 AND a.presence = 'available'
          AND EXISTS (SELECT 1 FROM agent_sessions s WHERE s.user_id = a.user_id)
          AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.assigned_worker_id = a.user_id
                            AND x.status IN ('offered','active','wrap_up'))
        ORDER BY (SELECT max(o.created_at) FROM offers o WHERE o.contact_id = $2 AND o.worker_id = a.user_id) NULLS FIRST,
                 a.idle_since, a.user_id
        LIMIT 1
        FOR UPDATE OF a`,
      [stationId, contactId],
      tx,
    );
    return row?.user_id;
  }
}
