import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Clock } from '@kapok/common';
import { AppConfig } from '@kapok/config';
import { AuthSession, AuthUser } from './auth.types';
import { PasswordHasher } from './password-hasher';
import { SessionRepository } from './session.repository';
import { TemporaryPasswords } from './temporary-passwords';
import { UserRepository } from './user.repository';

// A valid argon2 hash of a random string: verifying against it when the user does not exist keeps the
// answer time the same, so a login does not reveal which usernames exist.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$zN2yzCIX0RibZLDeS2eVjw$FVt2lt/D/0oUmp8WM3GTqowDBsHe6aZy2JmUnmFRTNk';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ended sessions are kept this long (the owner's list and audits can still show them), then forgotten. */
const ENDED_SESSIONS_KEPT_MS = 30 * 24 * 3600 * 1000;

/**
 * 403 for every route (and socket) of a person who signed in with a temporary password, until they choose their own
 * (`POST /api/auth/change-password`).
 */
export class PasswordChangeRequiredException extends ForbiddenException {
  constructor() {
    super('The password must be changed first: POST /api/auth/change-password (请先修改密码)');
  }
}

/** Where a sign-in came from, stored with its session (shown to its owner in the sessions list; never logged). */
export interface SignInClient {
  ip?: string | null;
  userAgent?: string | null;
}

const clip = (v: string | null | undefined, max: number) =>
  // eslint-disable-next-line no-control-regex -- control characters (NUL is refused by PostgreSQL) are dropped
  v ? v.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max) || null : null;

/**
 * Sign-in and the check of every request and socket: an access token is a JWT carrying its session's id (`sid`);
 * it is accepted only while that session is neither revoked nor expired and the account is active.
 */
@Injectable()
export class AuthService {
  private readonly ttlSeconds: number;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly hasher: PasswordHasher,
    private readonly temporaryPasswords: TemporaryPasswords,
    private readonly jwt: JwtService,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.ttlSeconds = config.get('JWT_TTL_SECONDS');
  }

  /**
   * Checks the password and opens a session. `mustChangePassword`: the password is a temporary one (created, reset
   * or imported by an admin); the token then works only to change it (PasswordChangeRequiredException elsewhere).
   * A temporary password past its time (TemporaryPasswords) is refused, saying so: an admin resets it.
   */
  async login(
    username: string,
    password: string,
    client: SignInClient = {},
  ): Promise<{ accessToken: string; user: AuthUser; mustChangePassword: boolean }> {
    const found = await this.users.findCredentials(username);
    const ok = await this.hasher.verify(found?.passwordHash ?? DUMMY_HASH, password);
    if (!found || !ok) throw new UnauthorizedException('Wrong username or password');
    const { passwordHash: _, mustChangePassword, temporaryPasswordExpiresAt, ...user } = found;
    if (mustChangePassword && this.temporaryPasswords.expired(temporaryPasswordExpiresAt)) {
      throw new UnauthorizedException(
        'The temporary password has expired: ask an administrator to reset it (临时密码已过期，请联系管理员重置)',
      );
    }
    const { accessToken } = await this.issue(user, client);
    return { accessToken, user, mustChangePassword };
  }

  /** Opens a session for this person and signs its access token (the token expires when the session does). */
  async issue(user: AuthUser, client: SignInClient = {}): Promise<{ accessToken: string; session: AuthSession }> {
    const now = this.clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.ttlSeconds;
    const expiresAt = new Date(exp * 1000);
    await this.sessions.pruneEnded(user.id, new Date(now.getTime() - ENDED_SESSIONS_KEPT_MS));
    const id = await this.sessions.create({
      userId: user.id,
      createdAt: now,
      expiresAt,
      ip: clip(client.ip, 64),
      userAgent: clip(client.userAgent, 512),
    });
    const accessToken = await this.jwt.signAsync({ sub: user.id, role: user.role, sid: id, iat, exp });
    return { accessToken, session: { id, expiresAt } };
  }

  /**
   * Verifies a token and reloads the person, so a deactivated account or an ended session is refused at once; a
   * person who must still change their password is refused too (403), unless `allowPendingPasswordChange`.
   */
  async authenticate(token: string | undefined, opts: AuthenticateOptions = {}): Promise<AuthUser> {
    return (await this.authenticateSession(token, opts)).user;
  }

  /**
   * The person and the session a token stands for; 401 for a bad, expired or revoked one, or one without `sid`;
   * 403 (PasswordChangeRequiredException) while the person must change their password, unless
   * `allowPendingPasswordChange` (the change itself, signing out).
   */
  async authenticateSession(
    token: string | undefined,
    opts: AuthenticateOptions = {},
  ): Promise<{ user: AuthUser; session: AuthSession }> {
    if (!token) throw new UnauthorizedException('Not signed in');
    let claims: { sub?: unknown; sid?: unknown };
    try {
      claims = await this.jwt.verifyAsync<{ sub?: unknown; sid?: unknown }>(token);
    } catch {
      throw new UnauthorizedException('Invalid or expired token');
    }
    const { sub, sid } = claims;
    // Tokens issued before sessions existed carry no `sid`: they are refused (sign in again).
    if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid)) {
      throw new UnauthorizedException('Invalid or expired token');
    }
    const now = this.clock.now();
    const found = await this.sessions.findValid(sid, sub, now);
    if (!found) throw new UnauthorizedException('Session ended: sign in again');
    if (now.getTime() - found.lastSeenAt.getTime() > 60_000) {
      void this.sessions.touch(sid, now).catch(() => undefined); // bookkeeping only; never fails a request
    }
    if (found.mustChangePassword && !opts.allowPendingPasswordChange) throw new PasswordChangeRequiredException();
    return { user: found.user, session: { id: sid, expiresAt: found.expiresAt } };
  }
}

export interface AuthenticateOptions {
  /** Let a person who must still change their password through (the change route itself, signing out). */
  allowPendingPasswordChange?: boolean;
}
