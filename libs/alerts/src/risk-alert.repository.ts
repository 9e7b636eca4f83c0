import { Injectable } from '@nestjs/common';
import type { Channel, ContactStatus, RiskAlertSource, RiskAlertState, RiskLevel } from '@kapok/contracts';
import { Db } from '@kapok/database';
import { OrgScope } from '@kapok/org';

/** A risk alert with what its views need: the contact's state now, the station, who answered and who acknowledged. */
export interface RiskAlertRow {
  id: string;
  contact_id: string;
  channel: Channel;
  station_id: string;
  station_name: string;
  source: RiskAlertSource;
  risk_level: RiskLevel;
  raised_at: Date;
  contact_status: ContactStatus;
  queued_at: Date;
  answered_at: Date | null;
  operator_id: string | null;
  operator_name: string | null;
  /** Seconds the person waited: until answered, abandoned, or `now` while waiting. */
  waited: number;
  state: RiskAlertState;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_by_name: string | null;
  acknowledge_note: string | null;
}

/**
 * Where an alert stands, in SQL (`a` the alert, `c` its contact): acknowledged by someone; a critical contact
 * answered first; or open. The one definition of the states of RiskAlertState.
 */
const STATE = `CASE WHEN a.acknowledged_at IS NOT NULL THEN 'acknowledged'
                    WHEN a.source = 'critical_contact' AND c.answered_at IS NOT NULL THEN 'answered'
                    ELSE 'open' END`;
const OPEN = `(a.acknowledged_at IS NULL AND NOT (a.source = 'critical_contact' AND c.answered_at IS NOT NULL))`;

/** $1 is now (the Clock's). */
const SELECT = `
  SELECT a.id, a.contact_id, c.channel, a.station_id, s.name AS station_name, a.source, c.risk_level, a.raised_at,
         c.status AS contact_status, c.queued_at, c.answered_at,
         c.assigned_worker_id AS operator_id, w.display_name AS operator_name,
         GREATEST(0, extract(epoch FROM COALESCE(c.answered_at, c.abandoned_at, c.ended_at, $1::timestamptz)
                                       - c.queued_at))::float8 AS waited,
         ${STATE} AS state, a.acknowledged_at, a.acknowledged_by, k.display_name AS acknowledged_by_name,
         a.acknowledge_note
    FROM risk_alerts a
    JOIN contacts c ON c.id = a.contact_id
    JOIN org_units s ON s.id = a.station_id
    LEFT JOIN users w ON w.id = c.assigned_worker_id
    LEFT JOIN users k ON k.id = a.acknowledged_by`;

/** The writer of risk_alerts: nothing else writes this table. */
@Injectable()
export class RiskAlertRepository {
  constructor(private readonly db: Db) {}

  /**
   * Raises the alert of this contact and source once: the id of the new alert, or undefined when it was raised
   * before (a retried intake, an amendment back to imminent) or the contact does not exist.
   */
  async raiseOnce(contactId: string, source: RiskAlertSource, now: Date): Promise<string | undefined> {
    const row = await this.db.one<{ id: string }>(
      `INSERT INTO risk_alerts (contact_id, station_id, source, raised_at)
       SELECT c.id, c.station_id, $2, $3 FROM contacts c WHERE c.id = $1
       ON CONFLICT (contact_id, source) DO NOTHING
       RETURNING id`,
      [contactId, source, now],
    );
    return row?.id;
  }

  async find(id: string, now: Date): Promise<RiskAlertRow | undefined> {
    return this.db.one<RiskAlertRow>(`${SELECT} WHERE a.id = $2`, [now, id]);
  }

  /**
   * One page of the alerts in a scope: `open` the work list, oldest first; `closed` the history, most recently
   * closed first.
   */
  async list(
    scope: OrgScope,
    state: 'open' | 'closed',
    page: { page: number; pageSize: number },
    now: Date,
  ): Promise<{ rows: RiskAlertRow[]; total: number }> {
    const params: unknown[] = [now];
    const where = `${scope.sql('s', params)} AND ${state === 'open' ? OPEN : `NOT ${OPEN}`}`;
    const order =
      state === 'open'
        ? 'a.raised_at, a.id'
        : 'COALESCE(a.acknowledged_at, c.answered_at) DESC, a.raised_at DESC, a.id';
    const total = await this.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM risk_alerts a JOIN contacts c ON c.id = a.contact_id
         JOIN org_units s ON s.id = a.station_id WHERE $1::timestamptz IS NOT NULL AND ${where}`,
      params,
    );
    const rows = await this.db.rows<RiskAlertRow>(
      `${SELECT} WHERE ${where} ORDER BY ${order} LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}`,
      params,
    );
    return { rows, total: total?.n ?? 0 };
  }

  /** Acknowledges an open alert (conditional: an alert already acknowledged, or answered, is left as it is). */
  async acknowledge(id: string, userId: string, note: string | null, now: Date): Promise<boolean> {
    const res = await this.db.run(
      `UPDATE risk_alerts a SET acknowledged_at = $3, acknowledged_by = $2, acknowledge_note = $4
         FROM contacts c
        WHERE a.id = $1 AND c.id = a.contact_id AND ${OPEN}`,
      [id, userId, now, note],
    );
    return res.rowCount > 0;
  }
}
