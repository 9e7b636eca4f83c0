import { Injectable, NotFoundException } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Tx } from '@kapok/database';
import { SessionRepository, SessionView } from './session.repository';
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
   * Ends every session of the person (account deactivated): their tokens stop working and their sockets close.
   * Within a transaction, call `signalRevokedAll` after it commits.
   */
  async revokeAll(userId: string, tx?: Tx): Promise<void> {
    await this.sessions.revokeAllOf(userId, 'deactivated', this.clock.now(), tx);
    if (!tx) await this.signalRevokedAll(userId);
  }

  async signalRevokedAll(userId: string): Promise<void> {
    await this.signals.publish({ userId, reason: 'deactivated' });
  }
}
