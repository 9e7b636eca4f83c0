import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';
import { AuthUser, Role, SessionRevokeReason } from './auth.types';

/** A sign-in session as its owner sees it (`GET /api/auth/sessions`). */
export interface SessionView {
  id: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** What a connected socket's session is now: read in one batch for every socket of a gateway. */
export interface SessionStanding {
  id: string;
  userId: string;
  expiresAt: Date;
  revokedReason: SessionRevokeReason | null;
  active: boolean;
  role: Role;
  orgUnitId: string;
  /** The stations a supervisor covers, sorted and joined: part of what their monitor socket shows. */
  supervised: string;
}

interface SessionRow {
  id: string;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  ip: string | null;
  user_agent: string | null;
}

const toView = (r: SessionRow): SessionView => ({
  id: r.id,
  createdAt: new Date(r.created_at).toISOString(),
  expiresAt: new Date(r.expires_at).toISOString(),
  lastSeenAt: new Date(r.last_seen_at).toISOString(),
  ip: r.ip,
  userAgent: r.user_agent,
});

/** A session's last use is written at most this often (not on every request). */
const LAST_SEEN_RESOLUTION_SECONDS = 60;

/** The `sessions` table: written only here. Times come from the caller (the Clock), so all checks use one clock. */
@Injectable()
export class SessionRepository {
  constructor(private readonly db: Db) {}

  async create(
    s: { userId: string; createdAt: Date; expiresAt: Date; ip?: string | null; userAgent?: string | null },
    tx?: Tx,
  ): Promise<string> {
    const row = await this.db.one<{ id: string }>(
      `INSERT INTO sessions (user_id, created_at, expires_at, last_seen_at, ip, user_agent)
       VALUES ($1, $2, $3, $2, $4, $5) RETURNING id`,
      [s.userId, s.createdAt, s.expiresAt, s.ip ?? null, s.userAgent ?? null],
      tx,
    );
    return row!.id;
  }

  /**
   * The person of a session that is neither revoked nor expired, if their account is active; `mustChangePassword`
   * while they still have a temporary password.
   */
  async findValid(
    sessionId: string,
    userId: string,
    now: Date,
  ): Promise<{ user: AuthUser; expiresAt: Date; lastSeenAt: Date; mustChangePassword: boolean } | undefined> {
    const row = await this.db.one<{
      id: string;
      username: string;
      display_name: string;
      role: Role;
      org_unit_id: string;
      must_change_password: boolean;
      expires_at: Date;
      last_seen_at: Date;
    }>(
      `SELECT u.id, u.username, u.display_name, u.role, u.org_unit_id, u.must_change_password, s.expires_at,
              s.last_seen_at
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3 AND u.active`,
      [sessionId, userId, now],
    );
    if (!row) return undefined;
    return {
      user: {
        id: row.id,
        username: row.username,
        displayName: row.display_name,
        role: row.role,
        orgUnitId: row.org_unit_id,
      },
      expiresAt: new Date(row.expires_at),
      lastSeenAt: new Date(row.last_seen_at),
      mustChangePassword: row.must_change_password,
    };
  }

  /** Records that the session was used now, if its last recorded use is older than a minute. */
  async touch(sessionId: string, now: Date): Promise<void> {
    await this.db.run(
      `UPDATE sessions SET last_seen_at = $2
        WHERE id = $1 AND revoked_at IS NULL AND last_seen_at < $2::timestamptz - make_interval(secs => $3)`,
      [sessionId, now, LAST_SEEN_RESOLUTION_SECONDS],
    );
  }

  /** The user's sessions that still let someone in, newest first. */
  async listValid(userId: string, now: Date): Promise<SessionView[]> {
    const rows = await this.db.rows<SessionRow>(
      `SELECT id, created_at, expires_at, last_seen_at, ip, user_agent FROM sessions
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
        ORDER BY created_at DESC, id`,
      [userId, now],
    );
    return rows.map(toView);
  }

  /**
   * Revokes one session of this user. 'revoked' when it was still valid, 'ended' when it was already revoked or
   * expired, 'unknown' when there is no such session of this user.
   */
  async revoke(
    userId: string,
    sessionId: string,
    reason: SessionRevokeReason,
    now: Date,
  ): Promise<'revoked' | 'ended' | 'unknown'> {
    const row = await this.db.one<{ revoked: boolean }>(
      `WITH target AS (SELECT id FROM sessions WHERE id = $1 AND user_id = $2),
            done AS (UPDATE sessions SET revoked_at = $4, revoked_reason = $3
                      WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $4 RETURNING id)
       SELECT EXISTS (SELECT 1 FROM done) AS revoked FROM target`,
      [sessionId, userId, reason, now],
    );
    return !row ? 'unknown' : row.revoked ? 'revoked' : 'ended';
  }

  /** Revokes every valid session of the user; returns their ids. */
  async revokeAllOf(userId: string, reason: SessionRevokeReason, now: Date, tx?: Tx): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `UPDATE sessions SET revoked_at = $3, revoked_reason = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $3 RETURNING id`,
      [userId, reason, now],
      tx,
    );
    return rows.map((r) => r.id);
  }

  /** Revokes every valid session of the user but `keepSessionId` (a password change keeps the changer's own). */
  async revokeAllExcept(
    userId: string,
    keepSessionId: string,
    reason: SessionRevokeReason,
    now: Date,
    tx?: Tx,
  ): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `UPDATE sessions SET revoked_at = $4, revoked_reason = $3
        WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL AND expires_at > $4 RETURNING id`,
      [userId, keepSessionId, reason, now],
      tx,
    );
    return rows.map((r) => r.id);
  }

  /** Where each of these sessions stands now (sessions that no longer exist are left out). */
  async standings(sessionIds: string[]): Promise<SessionStanding[]> {
    if (!sessionIds.length) return [];
    const rows = await this.db.rows<{
      id: string;
      user_id: string;
      expires_at: Date;
      revoked_reason: SessionRevokeReason | null;
      active: boolean;
      role: Role;
      org_unit_id: string;
      supervised: string | null;
    }>(
      `SELECT s.id, s.user_id, s.expires_at, s.revoked_reason, u.active, u.role, u.org_unit_id,
              (SELECT string_agg(ss.station_id::text, ',' ORDER BY ss.station_id)
                 FROM supervisor_stations ss WHERE ss.user_id = u.id) AS supervised
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = ANY($1::uuid[])`,
      [sessionIds],
    );
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      expiresAt: new Date(r.expires_at),
      revokedReason: r.revoked_reason,
      active: r.active,
      role: r.role,
      orgUnitId: r.org_unit_id,
      supervised: r.supervised ?? '',
    }));
  }

  /** Forgets the user's sessions that ended long ago (kept a while so the list and audits can show them). */
  async pruneEnded(userId: string, before: Date): Promise<void> {
    await this.db.run(`DELETE FROM sessions WHERE user_id = $1 AND (expires_at < $2 OR revoked_at < $2)`, [
      userId,
      before,
    ]);
  }
}
