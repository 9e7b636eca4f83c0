import { Injectable } from '@nestjs/common';
import { AppConfig } from '@kapok/config';
import { Db } from '@kapok/database';
import { RoutingQueue } from '@kapok/queue';

/**
 * A promised callback is due: it becomes an outbound contact on the same line, reserved first for the operator who
 * recorded it (continuity window), then routed as usual from their station. Idempotent: the follow-up moves
 * scheduled → contact_created once, in the same transaction as the insert.
 */
@Injectable()
export class FollowUpDue {
  constructor(
    private readonly db: Db,
    private readonly routing: RoutingQueue,
    private readonly config: AppConfig,
  ) {}

  async execute(followUpId: string): Promise<string | undefined> {
    const contactId = await this.db.tx(async (tx) => {
      const due = await this.db.one<{ id: string }>(
        `UPDATE follow_ups SET status = 'contact_created'
          WHERE id = $1 AND status = 'scheduled' AND due_at <= now() + interval '1 second' RETURNING id`,
        [followUpId],
        tx,
      );
      if (!due) return undefined;
      const created = await this.db.one<{ id: string }>(
        `INSERT INTO contacts (hotline_id, station_id, intake_key_id, channel, caller_number_masked, caller_number_hash,
                               language, topics, risk_level, priority, direction, follow_up_id,
                               preferred_worker_id, preferred_until)
         SELECT s.hotline_id, f.station_id, s.intake_key_id, 'phone', s.caller_number_masked, s.caller_number_hash,
                s.language, s.topics, s.risk_level, s.priority, 'outbound', f.id, f.worker_id,
                now() + make_interval(secs => COALESCE(
                  (SELECT continuity_window_seconds FROM station_settings WHERE station_id = f.station_id), $2))
           FROM follow_ups f JOIN contacts s ON s.id = f.source_contact_id WHERE f.id = $1
         RETURNING id`,
        [followUpId, this.config.get('CONTINUITY_WINDOW_SECONDS')],
        tx,
      );
      await this.db.run('UPDATE follow_ups SET contact_id = $2 WHERE id = $1', [followUpId, created!.id], tx);
      return created!.id;
    });
    if (contactId) await this.routing.routeContact(contactId);
    return contactId;
  }
}
