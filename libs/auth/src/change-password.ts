import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Db } from '@kapok/database';
import { AuthSession, AuthUser } from './auth.types';
import { PasswordHasher } from './password-hasher';
import { assertPasswordAllowed } from './password-policy';
import { UserRepository } from './user.repository';
import { UserSessions } from './user-sessions';

/**
 * The current password given to change it is wrong: 400 naming the field. Counted by the login throttle like a
 * failed sign-in of the account (`countsAsFailedSignIn`, LoginThrottleInterceptor), so a stolen session cannot be
 * used to guess the password.
 */
export class WrongCurrentPasswordException extends BadRequestException {
  readonly countsAsFailedSignIn = true;

  constructor() {
    super(['currentPassword is wrong (当前密码不正确)']);
  }
}

/**
 * A signed-in person changes their own password (`POST /api/auth/change-password`), also while they must (a
 * temporary password): the current one is checked, the new one must pass the policy and differ from it; then the
 * must-change mark is cleared and every other session of theirs ends (whoever else knew the old password is
 * signed out), while the session of this request goes on.
 */
@Injectable()
export class ChangePassword {
  constructor(
    private readonly db: Db,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: UserSessions,
    private readonly clock: Clock,
  ) {}

  async execute(
    user: AuthUser,
    session: AuthSession,
    currentPassword: string,
    newPassword: string,
  ): Promise<{ mustChangePassword: false; otherSessionsEnded: number }> {
    if (newPassword === currentPassword) {
      throw new BadRequestException(['newPassword must differ from the current password [password.unchanged]']);
    }
    assertPasswordAllowed(newPassword, user.username, 'newPassword');
    const newHash = await this.hasher.hash(newPassword);
    const ended = await this.db.tx(async (tx) => {
      // The row is held while the current password is checked: two changes at once do not both pass.
      const found = await this.users.findCredentialsById(user.id, tx);
      if (!found) throw new UnauthorizedException('Session ended: sign in again');
      if (!(await this.hasher.verify(found.passwordHash, currentPassword))) {
        throw new WrongCurrentPasswordException();
      }
      await this.users.setPassword(user.id, newHash, null, this.clock.now(), tx);
      return this.sessions.revokeOthers(user.id, session.id, tx);
    });
    await this.sessions.signalRevoked(ended);
    return { mustChangePassword: false, otherSessionsEnded: ended.length };
  }
}
