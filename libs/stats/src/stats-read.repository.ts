import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { CoverageGapKind } from '@kapok/contracts';
import { Db } from '@kapok/database';

/** Operators of one station by state (the live board's columns). */
export interface StationOperators {
  station_id: string;
  available: number;
  busy: number;
  wrap_up: number;
  away: number;
  offline: number;
  signed_in: number;
}

/** One operator of a station, now (StationDuty). */
export interface DutyOperatorRow {
  id: string;
  username: string;
  display_name: string;
  extension: string | null;
  state: 'available' | 'busy' | 'wrap_up' | 'away' | 'offline';
  signed_in: boolean;
  contact_id: string | null;
  channel: 'phone' | 'chat' | 'wechat' | null;
  status: 'offered' | 'active' | 'wrap_up' | null;
  since: Date | null;
}

/** A phone contact going on while its operator's console is lost (the live board's list). */
export interface ConsoleLostRow {
  contact_id: string;
  station_id: string;
  operator_id: string;
  operator_name: string;
  answered_at: Date;
  disconnected_at: Date;
}

/**
 * What statistics and the live board read from other libraries' tables (contacts, users, agent states and
 * sessions, shifts, coverage gaps): reads only; each of those tables is written by its owner's repository.
 */
@Injectable()
export class StatsReadRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * The active operators of one station (where they declared themselves on duty, else their home station), each
   * with their state as operatorsByStation counts it and the contact they hold (one ringing or talking before one
   * wrapping up; chats may be several: the oldest).
   */
  async operatorsOfStation(stationId: string): Promise<DutyOperatorRow[]> {
    return this.db.rows<DutyOperatorRow>(
      `WITH ops AS (
         SELECT u.id, u.username, u.display_name, u.extension, a.presence,
                EXISTS (SELECT 1 FROM agent_sessions s WHERE s.user_id = u.id) AS signed_in
           FROM users u LEFT JOIN agent_states a ON a.user_id = u.id
          WHERE u.role = 'operator' AND u.active AND COALESCE(a.station_id, u.org_unit_id) = $1)
       SELECT ops.id, ops.username, ops.display_name, ops.extension, ops.signed_in,
              h.id AS contact_id, h.channel, h.status, COALESCE(h.answered_at, h.offered_at, h.queued_at) AS since,
              CASE WHEN h.status IN ('offered','active') THEN 'busy' WHEN h.status = 'wrap_up' THEN 'wrap_up'
                   WHEN ops.signed_in AND ops.presence = 'available' THEN 'available'
                   WHEN ops.signed_in AND ops.presence = 'away' THEN 'away'
                   ELSE 'offline' END AS state
         FROM ops
         LEFT JOIN LATERAL (
           SELECT c.id, c.channel, c.status, c.answered_at, c.offered_at, c.queued_at FROM contacts c
            WHERE c.assigned_worker_id = ops.id AND c.status IN ('offered','active','wrap_up')
            ORDER BY c.status = 'wrap_up', c.queued_at LIMIT 1) h ON true
        ORDER BY ops.signed_in DESC, ops.display_name, ops.id`,
      [stationId],
    );
  }

  /** Contacts not answered yet (queued, or offered and ringing) by station, with the longest wait in seconds. */
  async waitingByStation(stationIds: string[]): Promise<{ station_id: string; n: number; oldest: number }[]> {
    return this.db.rows(
      `SELECT station_id, count(*)::int AS n, floor(extract(epoch FROM $2::timestamptz - min(queued_at)))::int AS oldest
         FROM contacts WHERE status IN ('queued','offered') AND station_id = ANY($1::uuid[])
        GROUP BY station_id`,
      [stationIds, this.clock.now()],
    );
  }

  /**
   * Active operators by station (where they declared themselves on duty, else their home station) and state:
   * holding a contact (ringing or talking) is busy, then wrapping up, then what a signed-in operator declared;
   * nobody signed in (no socket) is offline.
   */
  async operatorsByStation(stationIds: string[]): Promise<StationOperators[]> {
    return this.db.rows<StationOperators>(
      `WITH held AS (
         SELECT assigned_worker_id AS uid, bool_or(status IN ('offered','active')) AS busy, bool_or(status = 'wrap_up') AS wrap
           FROM contacts WHERE status IN ('offered','active','wrap_up') AND assigned_worker_id IS NOT NULL
          GROUP BY assigned_worker_id),
       conn AS (SELECT DISTINCT user_id AS uid FROM agent_sessions),
       ops AS (
         SELECT COALESCE(a.station_id, u.org_unit_id) AS station_id, s.uid IS NOT NULL AS signed_in,
                CASE WHEN h.busy THEN 'busy' WHEN h.wrap THEN 'wrap_up'
                     WHEN s.uid IS NOT NULL AND a.presence = 'available' THEN 'available'
                     WHEN s.uid IS NOT NULL AND a.presence = 'away' THEN 'away'
                     ELSE 'offline' END AS state
           FROM users u
           LEFT JOIN agent_states a ON a.user_id = u.id
           LEFT JOIN held h ON h.uid = u.id
           LEFT JOIN conn s ON s.uid = u.id
          WHERE u.role = 'operator' AND u.active AND COALESCE(a.station_id, u.org_unit_id) = ANY($1::uuid[]))
       SELECT station_id,
              count(*) FILTER (WHERE state = 'available')::int AS available,
              count(*) FILTER (WHERE state = 'busy')::int AS busy,
              count(*) FILTER (WHERE state = 'wrap_up')::int AS wrap_up,
              count(*) FILTER (WHERE state = 'away')::int AS away,
              count(*) FILTER (WHERE state = 'offline')::int AS offline,
              count(*) FILTER (WHERE signed_in)::int AS signed_in
         FROM ops GROUP BY station_id`,
      [stationIds],
    );
  }

  /**
   * Active phone contacts whose operator has no socket (their console is lost), by the operator's station as in
   * operatorsByStation (deactivated operators too: their call still needs someone to settle it), longest lost first.
   */
  async consoleLostContacts(stationIds: string[]): Promise<ConsoleLostRow[]> {
    return this.db.rows<ConsoleLostRow>(
      `SELECT c.id AS contact_id, COALESCE(a.station_id, u.org_unit_id) AS station_id, u.id AS operator_id,
              u.display_name AS operator_name, c.answered_at, COALESCE(a.disconnected_at, c.answered_at) AS disconnected_at
         FROM contacts c
         JOIN users u ON u.id = c.assigned_worker_id
         LEFT JOIN agent_states a ON a.user_id = u.id
        WHERE c.status = 'active' AND c.channel = 'phone'
          AND NOT EXISTS (SELECT 1 FROM agent_sessions s WHERE s.user_id = u.id)
          AND COALESCE(a.station_id, u.org_unit_id) = ANY($1::uuid[])
        ORDER BY 6, c.id`,
      [stationIds],
    );
  }

  /** Operators with a shift covering now, by station. */
  async rosteredByStation(stationIds: string[]): Promise<{ station_id: string; n: number }[]> {
    return this.db.rows(
      `SELECT station_id, count(DISTINCT worker_id)::int AS n FROM shifts
        WHERE station_id = ANY($1::uuid[]) AND starts_at <= $2 AND ends_at > $2 GROUP BY station_id`,
      [stationIds, this.clock.now()],
    );
  }

  /** The kinds of the open coverage gaps of these units, by unit. */
  async openGapKinds(unitIds: string[]): Promise<Map<string, CoverageGapKind[]>> {
    const rows = await this.db.rows<{ unit_id: string; kinds: CoverageGapKind[] }>(
      `SELECT unit_id, array_agg(DISTINCT kind ORDER BY kind) AS kinds FROM coverage_gaps
        WHERE ended_at IS NULL AND unit_id = ANY($1::uuid[]) GROUP BY unit_id`,
      [unitIds],
    );
    return new Map(rows.map((r) => [r.unit_id, r.kinds]));
  }

  /** Operators' display names by id (the statistics' worker rows). */
  async workerNames(ids: string[]): Promise<Map<string, string>> {
    const rows = await this.db.rows<{ id: string; display_name: string }>(
      'SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }
}
