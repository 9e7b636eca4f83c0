import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import {
  AuthUser,
  PasswordHasher,
  TemporaryPasswords,
  UserRepository,
  UserSessions,
  generateTemporaryPassword,
} from '@kapok/auth';
import { Clock } from '@kapok/common';
import type { ResetPasswordView } from '@kapok/contracts';
import { Db } from '@kapok/database';
import { AdminAuditTrail } from '../admin-audit';
import { AdminAccess } from '../admin-scope';

/**
 * An admin resets a forgotten password (`POST /api/admin/users/:id/reset-password`) of an account in their reach
 * (404 outside it): a new temporary password, returned only in this answer, that the person must change at their
 * next sign-in, working for TEMPORARY_PASSWORD_TTL_HOURS; every session of theirs ends at once (tokens refused, sockets closed: whoever used the old password
 * is out). A deactivated account is refused (409: reactivate it first). Audited (`admin.user.reset_password`,
 * never the password).
 */
@Injectable()
export class ResetPassword {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: UserSessions,
    private readonly audit: AdminAuditTrail,
    private readonly temporaryPasswords: TemporaryPasswords,
    private readonly clock: Clock,
  ) {}

  async execute(admin: AuthUser, userId: string): Promise<ResetPasswordView> {
    const scope = await this.access.scopeOf(admin);
    const temporaryPassword = generateTemporaryPassword();
    const hash = await this.hasher.hashTemporary(temporaryPassword);
    const expiresAt = this.temporaryPasswords.expiresAt();
    await this.db.tx(async (tx) => {
      const user = await this.users.findForAdmin(userId, tx, true);
      if (!user || !scope.canManage({ id: user.orgUnitId, path: user.orgUnitPath })) {
        throw new NotFoundException(`User ${userId} not found`);
      }
      if (!user.active) throw new ConflictException(`${user.username} is deactivated: reactivate the account first`);
      await this.users.setPassword(userId, hash, expiresAt, this.clock.now(), tx);
      await this.sessions.revokeAll(userId, tx, 'revoked');
      await this.audit.record(tx, admin, {
        action: 'admin.user.reset_password',
        subjectType: 'user',
        subjectId: userId,
        unitId: user.orgUnitId,
        before: { mustChangePassword: user.mustChangePassword },
        after: { mustChangePassword: true },
        detail: { sessionsEnded: true },
      });
    });
    await this.sessions.signalRevokedAll(userId, 'revoked');
    return { temporaryPassword, expiresAt: expiresAt.toISOString() };
  }
}
