import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import {
  AuthUser,
  PasswordHasher,
  Role,
  TemporaryPasswords,
  UserRepository,
  assertPasswordAllowed,
  generateTemporaryPassword,
} from '@kapok/auth';
import type { CreatedUserView } from '@kapok/contracts';
import { Db, isUniqueViolation } from '@kapok/database';
import { OrgRepository } from '@kapok/org';
import { AdminAuditTrail } from '../admin-audit';
import { AdminAccess } from '../admin-scope';
import {
  auditSnapshot,
  checkSupervisedChange,
  distinct,
  grantableHome,
  profileProblems,
  toAdminUserView,
} from './user-rules';

export interface NewAccount {
  username: string;
  displayName: string;
  role: Role;
  orgUnitId: string;
  /** A password the admin chose (it must pass the policy); none: a temporary one is generated and returned once. */
  password?: string;
  /** Whether the person must change the password at first sign-in (default: yes). */
  mustChangePassword?: boolean;
  languages?: string[];
  skills?: string[];
  supervisedStationIds?: string[];
  extension?: string | null;
}

/**
 * An admin creates an account (`POST /api/admin/users`) with a role at a unit of their reach, never a role or a
 * unit wider than their own (403; outside their reach the unit is not theirs to grant). A supervisor may be given
 * stations to supervise, all inside the admin's reach. Without a password a temporary one is generated (returned
 * only in this answer; hashed at the lower one-time cost, PasswordHasher.hashTemporary); either way the person must
 * change it at first sign-in unless `mustChangePassword: false`. Audited (`admin.user.create`).
 */
@Injectable()
export class CreateUser {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AdminAuditTrail,
    private readonly temporaryPasswords: TemporaryPasswords,
  ) {}

  async execute(admin: AuthUser, a: NewAccount): Promise<CreatedUserView> {
    const supervised = distinct(a.supervisedStationIds ?? []);
    const problems = profileProblems(a);
    if (supervised.length && a.role !== 'supervisor') {
      problems.push('supervisedStationIds: only a supervisor supervises stations');
    }
    if (problems.length) throw new BadRequestException(problems);
    if (a.password !== undefined) assertPasswordAllowed(a.password, a.username, 'password');
    const scope = await this.access.scopeOf(admin);
    const temporaryPassword = a.password === undefined ? generateTemporaryPassword() : undefined;
    const passwordHash = temporaryPassword
      ? await this.hasher.hashTemporary(temporaryPassword)
      : await this.hasher.hash(a.password!);
    const user = await this.db
      .tx(async (tx) => {
        await grantableHome(this.access, this.org, scope, a.role, a.orgUnitId, tx);
        await checkSupervisedChange(this.org, scope, supervised, [], tx);
        if ((await this.users.takenUsernames([a.username], tx)).size) throw taken(a.username);
        const created = await this.users.create(
          {
            username: a.username,
            displayName: a.displayName,
            passwordHash,
            role: a.role,
            orgUnitId: a.orgUnitId,
            mustChangePassword: a.mustChangePassword ?? true,
            temporaryPasswordExpiresAt: (a.mustChangePassword ?? true) ? this.temporaryPasswords.expiresAt() : null,
            languages: distinct(a.languages ?? []),
            skills: distinct(a.skills ?? []),
            extension: a.extension ?? null,
          },
          tx,
        );
        if (supervised.length) await this.users.addSupervisedStations(created.id, supervised, tx);
        const view = toAdminUserView((await this.users.findForAdmin(created.id, tx))!);
        await this.audit.record(tx, admin, {
          action: 'admin.user.create',
          subjectType: 'user',
          subjectId: created.id,
          unitId: created.orgUnitId,
          before: null,
          after: auditSnapshot(view),
          detail: { passwordGiven: a.password !== undefined },
        });
        return view;
      })
      .catch((err: unknown) => {
        // Two creations of one name at once: the unique index decides.
        if (isUniqueViolation(err)) throw taken(a.username);
        throw err;
      });
    return temporaryPassword ? { user, temporaryPassword } : { user };
  }
}

const taken = (username: string) => new ConflictException(`username ${username} is taken`);
