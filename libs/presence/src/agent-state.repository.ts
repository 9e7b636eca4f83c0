import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Db, Tx } from '@kapok/database';
import { Presence } from '@kapok/realtime';

export interface AgentState {
  userId: string;
  stationId: string;
  presence: Presence;
  connected: boolean;
  idleSince: Date;
  /** When their last socket closed (the reconnect grace runs from it); null while one is connected. */
  disconnectedAt: Date | null;
}

/**
 * Operators' presence. Two facts, kept apart: what the operator declared (`presence`) and whether any socket of
 * theirs is connected (rows in agent_sessions, one per socket, tagged with the gateway process that holds it).
 * An operator is offered contacts only when both say yes. The times routing decides by (idle since, disconnected
 * since) are read from the Clock; a gateway's heartbeat is the database's (see sessionsOfDeadGateways).
 */
@Injectable()
export class AgentStateRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async ensure(userId: string, stationId: string, tx?: Tx): Promise<void> {
    await this.db.run(
      `INSERT INTO agent_states (user_id, station_id) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET station_id = EXCLUDED.station_id WHERE agent_states.station_id <> EXCLUDED.station_id`,
      [userId, stationId],
      tx,
    );
  }

  async get(userId: string, tx?: Tx): Promise<AgentState | undefined> {
    const row = await this.db.one<{
      user_id: string;
      station_id: string;
      presence: Presence;
      connected: boolean;
      idle_since: Date;
      disconnected_at: Date | null;
    }>(
      `SELECT a.*, EXISTS (SELECT 1 FROM agent_sessions s WHERE s.user_id = a.user_id) AS connected
         FROM agent_states a WHERE a.user_id = $1`,
      [userId],
      tx,
    );
    return (
      row && {
        userId: row.user_id,
        stationId: row.station_id,
        presence: row.presence,
        connected: row.connected,
        idleSince: row.idle_since,
        disconnectedAt: row.disconnected_at,
      }
    );
  }

  /** Sets the declared presence; becoming available starts the operator's idle time. */
  async setPresence(userId: string, presence: Presence, tx: Tx): Promise<void> {
    await this.db.run(
      `UPDATE agent_states SET presence = $2::text, presence_changed_at = $3,
              idle_since = CASE WHEN presence <> 'available' AND $2::text = 'available' THEN $3 ELSE idle_since END
        WHERE user_id = $1 AND presence <> $2::text`,
      [userId, presence, this.clock.now()],
      tx,
    );
  }

  /** The operator just finished or let go of a contact: they go to the back of the idle line. */
  async markIdle(userId: string, tx: Tx): Promise<void> {
    await this.db.run('UPDATE agent_states SET idle_since = $2 WHERE user_id = $1', [userId, this.clock.now()], tx);
  }

  /** Counts an offer missed by timeout; returns how many in a row. */
  async countMissedOffer(userId: string, tx: Tx): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      `UPDATE agent_states SET missed_in_row = missed_in_row + 1, missed_total = missed_total + 1
        WHERE user_id = $1 RETURNING missed_in_row AS n`,
      [userId],
      tx,
    );
    return row?.n ?? 0;
  }

  /** A decline is an answer: counted apart, and it ends a run of missed offers. */
  async countDecline(userId: string, tx: Tx): Promise<void> {
    await this.db.run(
      'UPDATE agent_states SET declined_total = declined_total + 1, missed_in_row = 0 WHERE user_id = $1',
      [userId],
      tx,
    );
  }

  async countAnswer(userId: string, tx: Tx): Promise<void> {
    await this.db.run(
      'UPDATE agent_states SET missed_in_row = 0 WHERE user_id = $1 AND missed_in_row <> 0',
      [userId],
      tx,
    );
  }

  /**
   * A fresh sign-in starts off duty: the first socket of a session opened after the operator last declared their
   * presence (they closed the browser on duty, or signed out) sets them offline; a reload or reconnect within the
   * same session, or another tab that is still connected, keeps what they declared. Answers whether it changed.
   */
  async offDutyAtSignIn(userId: string, sessionId: string): Promise<boolean> {
    const row = await this.db.one(
      `UPDATE agent_states a SET presence = 'offline', presence_changed_at = $3
        WHERE a.user_id = $1 AND a.presence <> 'offline'
          AND NOT EXISTS (SELECT 1 FROM agent_sessions x WHERE x.user_id = a.user_id)
          AND COALESCE(a.presence_changed_at, '-infinity') < (SELECT s.created_at FROM sessions s
                                                               WHERE s.id = $2 AND s.user_id = $1)
        RETURNING a.user_id`,
      [userId, sessionId, this.clock.now()],
    );
    return !!row;
  }

  async addSession(socketId: string, userId: string, gatewayId: string): Promise<void> {
    await this.db.tx(async (tx) => {
      await this.db.run(
        `INSERT INTO agent_sessions (socket_id, user_id, gateway_id) VALUES ($1, $2, $3) ON CONFLICT (socket_id) DO NOTHING`,
        [socketId, userId, gatewayId],
        tx,
      );
      await this.db.run('UPDATE agent_states SET disconnected_at = NULL WHERE user_id = $1', [userId], tx);
    });
  }

  /** Removes one socket; returns the operator and how many sockets they still have. */
  async removeSession(socketId: string): Promise<{ userId: string; remaining: number } | undefined> {
    return this.db.tx(async (tx) => {
      const gone = await this.db.one<{ user_id: string }>(
        'DELETE FROM agent_sessions WHERE socket_id = $1 RETURNING user_id',
        [socketId],
        tx,
      );
      if (!gone) return undefined;
      const left = await this.db.one<{ n: number }>(
        'SELECT count(*)::int AS n FROM agent_sessions WHERE user_id = $1',
        [gone.user_id],
        tx,
      );
      if (left!.n === 0) {
        await this.db.run(
          'UPDATE agent_states SET disconnected_at = $2 WHERE user_id = $1',
          [gone.user_id, this.clock.now()],
          tx,
        );
      }
      return { userId: gone.user_id, remaining: left!.n };
    });
  }

  async heartbeat(gatewayId: string): Promise<void> {
    await this.db.run(
      `INSERT INTO gateway_instances (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`,
      [gatewayId],
    );
  }

  async retireGateway(gatewayId: string): Promise<void> {
    await this.db.run('DELETE FROM gateway_instances WHERE id = $1', [gatewayId]);
  }

  /**
   * Sockets held by gateway processes that stopped sending heartbeats (crashed or cut off). A heartbeat is written
   * and judged by the database's clock alone: it measures whether a process is alive in real time, which a test
   * that moves the application's Clock must not change.
   */
  async sessionsOfDeadGateways(staleSeconds: number): Promise<string[]> {
    const rows = await this.db.rows<{ socket_id: string }>(
      `SELECT s.socket_id FROM agent_sessions s
         LEFT JOIN gateway_instances g ON g.id = s.gateway_id
        WHERE g.id IS NULL OR g.heartbeat_at < now() - make_interval(secs => $1)`,
      [staleSeconds],
    );
    return rows.map((r) => r.socket_id);
  }

  /**
   * The sockets this gateway process has recorded (its own rows). The gateway compares them with the sockets it
   * really holds: a row whose socket is gone was left by a disconnect that could not be written (Postgres down).
   */
  async sessionsOfGateway(gatewayId: string): Promise<string[]> {
    const rows = await this.db.rows<{ socket_id: string }>(
      'SELECT socket_id FROM agent_sessions WHERE gateway_id = $1',
      [gatewayId],
    );
    return rows.map((r) => r.socket_id);
  }

  /**
   * Operators with no socket for longer than the grace period who still look present or hold a text contact (chat,
   * wechat) that can move to another operator. A phone contact alone does not bring them back: the call goes on on
   * the phone network and stays theirs (AgentSession.expireGrace), so once they are offline there is nothing to do.
   */
  async pastReconnectGrace(graceSeconds: number): Promise<string[]> {
    const rows = await this.db.rows<{ user_id: string }>(
      `SELECT a.user_id FROM agent_states a
        WHERE a.disconnected_at IS NOT NULL AND a.disconnected_at < $2::timestamptz - make_interval(secs => $1)
          AND NOT EXISTS (SELECT 1 FROM agent_sessions s WHERE s.user_id = a.user_id)
          AND (a.presence <> 'offline'
               OR EXISTS (SELECT 1 FROM contacts c
                           WHERE c.assigned_worker_id = a.user_id AND c.status = 'active' AND c.channel <> 'phone'))`,
      [graceSeconds, this.clock.now()],
    );
    return rows.map((r) => r.user_id);
  }
}
