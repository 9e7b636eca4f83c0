import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { AuthSession, AuthUser, SessionEndReason } from './auth.types';
import { SessionRepository, SessionStanding } from './session.repository';
import { SessionSignals, SessionsEnded } from './session-signals';

/** How often the sessions of all connections of this process are read again (one query for all of them). */
export const SESSION_CHECK_MS = 2000;
const CHECK_BATCH = 5000;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Watched {
  key: string;
  userId: string;
  sessionId: string;
  role: AuthUser['role'];
  orgUnitId: string;
  expiresAt: Date;
  /** The supervised stations when first checked; a change changes what a monitor socket may see. */
  supervised?: string;
  end(reason: SessionEndReason): void;
  timer?: NodeJS.Timeout;
}

/**
 * Keeps long-lived connections (sockets) in step with their sign-in session: a connection is ended when its session
 * expires (a timer at the expiry), is revoked (a Redis signal from UserSessions, at once), or when the person is
 * deactivated, or their role, unit or supervised stations change (a batched re-check every 2 s: also the safety
 * net for a lost signal and for changes made straight in the database). `end` is called at most once per watch.
 */
@Injectable()
export class SessionWatch implements OnApplicationShutdown {
  private readonly logger = new Logger(SessionWatch.name);
  private readonly watched = new Map<string, Watched>();
  private interval?: NodeJS.Timeout;
  private checking = false;
  private listening = false;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly signals: SessionSignals,
    private readonly clock: Clock,
  ) {}

  /** Watches one connection, by a key unique in this process (e.g. namespace and socket id). */
  watch(key: string, user: AuthUser, session: AuthSession, end: (reason: SessionEndReason) => void): void {
    this.unwatch(key);
    const w: Watched = {
      key,
      userId: user.id,
      sessionId: session.id,
      role: user.role,
      orgUnitId: user.orgUnitId,
      expiresAt: session.expiresAt,
      end,
    };
    this.watched.set(key, w);
    this.scheduleExpiry(w);
    if (!this.listening) {
      this.listening = true;
      this.signals.listen((e) => this.onSignal(e));
    }
    if (!this.interval) {
      this.interval = setInterval(() => void this.check(), SESSION_CHECK_MS);
      this.interval.unref();
    }
  }

  unwatch(key: string): void {
    const w = this.watched.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    this.watched.delete(key);
  }

  get size(): number {
    return this.watched.size;
  }

  /** Reads every watched session again and ends the connections whose session no longer stands as it was. */
  async check(): Promise<void> {
    if (this.checking || this.watched.size === 0) return;
    this.checking = true;
    try {
      // Only the connections watched when the read starts are judged by it (one added meanwhile is not in it).
      const judged = [...this.watched.values()];
      const ids = [...new Set(judged.map((w) => w.sessionId))];
      const standings = new Map<string, SessionStanding>();
      for (let i = 0; i < ids.length; i += CHECK_BATCH) {
        for (const s of await this.sessions.standings(ids.slice(i, i + CHECK_BATCH))) standings.set(s.id, s);
      }
      const now = this.clock.now();
      for (const w of judged) {
        if (this.watched.get(w.key) !== w) continue; // ended or replaced meanwhile
        const reason = this.verdict(w, standings.get(w.sessionId), now);
        if (reason) this.end(w, reason);
      }
    } catch (err) {
      this.logger.error(`session re-check failed: ${(err as Error).message}`);
    } finally {
      this.checking = false;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.interval);
    for (const w of this.watched.values()) clearTimeout(w.timer);
    this.watched.clear();
  }

  private verdict(w: Watched, s: SessionStanding | undefined, now: Date): SessionEndReason | undefined {
    if (!s) return 'revoked';
    if (s.revokedReason) return s.revokedReason;
    if (!s.active) return 'deactivated';
    if (s.expiresAt.getTime() <= now.getTime()) return 'expired';
    if (s.role !== w.role || s.orgUnitId !== w.orgUnitId) return 'changed';
    if (w.supervised === undefined) w.supervised = s.supervised;
    else if (w.supervised !== s.supervised) return 'changed';
    return undefined;
  }

  private onSignal(e: SessionsEnded): void {
    for (const w of [...this.watched.values()]) {
      if (e.userId === w.userId || e.sessionIds?.includes(w.sessionId)) this.end(w, e.reason);
    }
  }

  private scheduleExpiry(w: Watched): void {
    const ms = w.expiresAt.getTime() - this.clock.now().getTime();
    if (ms <= 0) {
      w.timer = setTimeout(() => this.end(w, 'expired'), 0);
      return;
    }
    // A lifetime beyond what one timer can wait is waited in steps.
    w.timer = setTimeout(
      () => (ms > MAX_TIMER_MS ? this.scheduleExpiry(w) : this.end(w, 'expired')),
      Math.min(ms, MAX_TIMER_MS),
    );
    w.timer.unref();
  }

  private end(w: Watched, reason: SessionEndReason): void {
    if (this.watched.get(w.key) !== w) return;
    this.unwatch(w.key);
    try {
      w.end(reason);
    } catch (err) {
      this.logger.error(`ending a connection failed: ${(err as Error).message}`);
    }
  }
}
