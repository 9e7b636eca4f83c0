import { Injectable, NotFoundException } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Tx } from '@kapok/database';
import { SessionRepository, SessionView } from './session.repository';
import { SessionRevokeReason } from './auth.types';
import { SessionSignals } from './session-signals';

/**
 * A person's sign-in sessions: list them, sign out (revoke the current one), revoke one of them, and revoke them
 * all (`revokeAll`: what deactivating an account does). A revoked session's token is refused at once (401) and its
 * sockets are closed: every gateway is told through Redis, and SessionWatch's re-check catches what a lost signal
 * missed within seconds.
 */
@Injectable()
export class UserSessions {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly signals: SessionSignals,
    private readonly clock: Clock,
  ) {}

  /** The sessions that still let someone in as this person, newest first; `current` marks the caller's own. */
  async list(userId: string, currentSessionId?: string): Promise<(SessionView & { current: boolean })[]> {
    const rows = await this.sessions.listValid(userId, this.clock.now());
    return rows.map((s) => ({ ...s, current: s.id === currentSessionId }));
  }

  /** Signs out: the current session ends. */
  async logout(userId: string, sessionId: string): Promise<void> {
    if ((await this.sessions.revoke(userId, sessionId, 'logout', this.clock.now())) === 'revoked') {
      await this.signals.publish({ sessionIds: [sessionId], reason: 'logout' });
    }
  }

  /** Revokes one of the person's own sessions (404 when it is not theirs; an already ended one is fine). */
  async revoke(userId: string, sessionId: string): Promise<void> {
    const outcome = await this.sessions.revoke(userId, sessionId, 'revoked', this.clock.now());
    if (outcome === 'unknown') throw new NotFoundException('No such session of yours');
    if (outcome === 'revoked') await this.signals.publish({ sessionIds: [sessionId], reason: 'revoked' });
  }

  /**
   * Ends every session of the person: their tokens stop working and their sockets close. `deactivated` (the
   * default) when the account is deactivated; `revoked` when an admin resets the password. Within a transaction,
   * call `signalRevokedAll` (with the same reason) after it commits.
   */
  async revokeAll(userId: string, tx?: Tx, reason: SessionRevokeReason = 'deactivated'): Promise<void> {
    await this.sessions.revokeAllOf(userId, reason, this.clock.now(), tx);
    if (!tx) await this.signalRevokedAll(userId, reason);
  }

  async signalRevokedAll(userId: string, reason: SessionRevokeReason = 'deactivated'): Promise<void> {
    await this.signals.publish({ userId, reason });
  }

  /**
   * Ends every session of the person but the current one (they changed their password: whoever else knew the old
   * one is signed out). Within a transaction, call `signalRevoked` with the ids after it commits.
   */
  async revokeOthers(userId: string, currentSessionId: string, tx?: Tx): Promise<string[]> {
    const ids = await this.sessions.revokeAllExcept(userId, currentSessionId, 'revoked', this.clock.now(), tx);
    if (!tx) await this.signalRevoked(ids);
    return ids;
  }

  async signalRevoked(sessionIds: string[]): Promise<void> {
    if (sessionIds.length) await this.signals.publish({ sessionIds, reason: 'revoked' });
  }
}
