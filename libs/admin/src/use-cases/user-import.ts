import { BadRequestException, ConflictException, Injectable, PayloadTooLargeException } from '@nestjs/common';
import {
  AuthUser,
  NewUser,
  PasswordHasher,
  TemporaryPasswords,
  UserRepository,
  assertPasswordAllowed,
  generateTemporaryPassword,
  passwordProblems,
} from '@kapok/auth';
import type { UserImportView } from '@kapok/contracts';
import { Db, Tx, isUniqueViolation } from '@kapok/database';
import { OrgRepository, OrgUnitRecord } from '@kapok/org';
import { AdminAuditTrail } from '../admin-audit';
import { AdminAccess, AdminScope, ROLE_RANK } from '../admin-scope';
import { UserCsvRow, parseUsersCsv, where } from './user-csv';
import { parseUsersXlsx } from './user-xlsx';
import { levelProblem } from './user-rules';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** At most this many row problems are listed (the rest are counted): a wrong file must not answer megabytes. */
const MAX_LISTED_ERRORS = 500;

/** An imported users file: the CSV's text, or an Excel workbook's bytes (same columns, first sheet). */
export type UsersFile = { format: 'csv'; text: string } | { format: 'xlsx'; data: Buffer };

export interface ImportOptions {
  /** The same initial password for every account (it must pass the policy); none: a temporary one each. */
  password?: string;
  /** false: the accounts keep `password` (drills, tests); only with `password`. Default: they must change it. */
  mustChange?: boolean;
}

/**
 * Imports accounts from the users CSV or Excel workbook (`POST /api/admin/users/import`), all or nothing: every row is checked first
 * (the file itself, then usernames already taken, units unknown, closed or outside the admin's reach, roles not
 * theirs to grant, a role at a level it does not belong to) and any problem answers 400 listing every bad row by
 * its line; nothing is written. Then one transaction creates them all (one INSERT) and audits them
 * (`admin.user.import`, one row per unit, listing the usernames).
 *
 * Passwords dominate the time: with `password` it is hashed once (full cost) and shared; otherwise each account
 * gets a generated temporary password, hashed at the lower one-time cost (PasswordHasher.hashTemporary: 7,000 in
 * seconds instead of minutes), returned only in this answer and to be changed at first sign-in.
 */
@Injectable()
export class ImportUsers {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AdminAuditTrail,
    private readonly temporaryPasswords: TemporaryPasswords,
  ) {}

  async execute(admin: AuthUser, file: UsersFile, opts: ImportOptions = {}): Promise<UserImportView> {
    if (opts.mustChange === false && opts.password === undefined) {
      throw new BadRequestException([
        'mustChange=false needs ?password= (generated passwords are one-time passwords: they must be changed)',
      ]);
    }
    if (opts.password !== undefined) assertPasswordAllowed(opts.password, undefined, 'password');
    const scope = await this.access.scopeOf(admin);
    const parsed = file.format === 'csv' ? parseUsersCsv(file.text) : await parseUsersXlsx(file.data);
    if (parsed.overCap) throw new PayloadTooLargeException(parsed.errors[0]);
    const errors = [...parsed.errors];
    const units = await this.resolveUnits(parsed.rows);
    const taken = await this.users.takenUsernames(parsed.rows.map((r) => r.username));
    const firstLine = new Map<string, number>();
    const rows = parsed.rows.filter((r) => {
      const problems = this.rowProblems(scope, r, units.get(r.orgUnitCode.toLowerCase()), taken, firstLine, opts);
      if (problems.length) errors.push(`${where(r.line, r.username)}: ${problems.join('; ')}`);
      return !problems.length;
    });
    if (errors.length) throw new BadRequestException(listed(errors, parsed.rows.length + parsed.errors.length));

    const shared = opts.password !== undefined ? await this.hasher.hash(opts.password) : undefined;
    const temporary = shared ? [] : rows.map(() => generateTemporaryPassword());
    const hashes = shared ? [] : await this.hasher.hashTemporaryMany(temporary);
    const temporaryUntil = (opts.mustChange ?? true) ? this.temporaryPasswords.expiresAt() : null;
    const accounts: NewUser[] = rows.map((r, i) => ({
      username: r.username,
      displayName: r.displayName,
      passwordHash: shared ?? hashes[i],
      role: r.role,
      orgUnitId: units.get(r.orgUnitCode.toLowerCase())!.id,
      mustChangePassword: opts.mustChange ?? true,
      temporaryPasswordExpiresAt: temporaryUntil,
      languages: r.languages,
      skills: r.skills,
    }));
    await this.db
      .tx(async (tx) => {
        await this.lockUnits(accounts, tx);
        await this.users.createMany(accounts, tx);
        await this.auditImport(admin, accounts, opts, tx);
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) {
          throw new ConflictException('some usernames were taken meanwhile by another change: import again');
        }
        throw err;
      });
    return {
      created: accounts.length,
      users: rows.map((r, i) =>
        shared ? { username: r.username } : { username: r.username, temporaryPassword: temporary[i] },
      ),
    };
  }

  /** The units the rows name, by code (whatever its case) or id, keyed by what the row wrote (lower case). */
  private async resolveUnits(rows: UserCsvRow[]): Promise<Map<string, OrgUnitRecord>> {
    const written = [...new Set(rows.map((r) => r.orgUnitCode))];
    const ids = written.filter((w) => UUID.test(w));
    const byCode = await this.org.findUnitsByCode(written.filter((w) => !UUID.test(w)));
    const units = new Map<string, OrgUnitRecord>();
    for (const id of ids) {
      const u = await this.org.findUnit(id);
      if (u) units.set(u.id.toLowerCase(), u);
    }
    for (const u of byCode) if (u.code) units.set(u.code.toLowerCase(), u);
    return units;
  }

  private rowProblems(
    scope: AdminScope,
    r: UserCsvRow,
    unit: OrgUnitRecord | undefined,
    taken: Set<string>,
    firstLine: Map<string, number>,
    opts: ImportOptions,
  ): string[] {
    const problems: string[] = [];
    const name = r.username.toLowerCase();
    const first = firstLine.get(name);
    if (first !== undefined) problems.push(`username ${r.username} is already on line ${first}`);
    else firstLine.set(name, r.line);
    if (taken.has(name)) problems.push(`username ${r.username} is taken`);
    if (ROLE_RANK[r.role] > ROLE_RANK[scope.admin.role]) {
      problems.push(`role ${r.role} is wider than your own and cannot be granted by you`);
    }
    if (!unit) {
      problems.push(`orgUnitCode ${r.orgUnitCode}: no unit has this code or id`);
    } else if (!scope.canManage(unit)) {
      problems.push(
        `orgUnitCode ${r.orgUnitCode}: ${unit.name} is outside the part of the organisation you administer`,
      );
    } else {
      const level = levelProblem(r.role, unit);
      if (level) problems.push(level);
      if (unit.closedAt) problems.push(`${unit.name} is closed`);
    }
    if (
      opts.password !== undefined &&
      passwordProblems(opts.password, r.username).some((p) => p.rule === 'contains_username')
    ) {
      problems.push('the ?password= contains this username');
    }
    return problems;
  }

  /** The units people are added to are held (FOR SHARE) until the commit, and must still be open. */
  private async lockUnits(accounts: NewUser[], tx: Tx): Promise<void> {
    for (const id of [...new Set(accounts.map((a) => a.orgUnitId))].sort()) {
      const unit = await this.org.lockUnit(id, 'share', tx);
      if (!unit || unit.closedAt) throw new ConflictException(`${unit?.name ?? id} was closed meanwhile: import again`);
    }
  }

  private async auditImport(admin: AuthUser, accounts: NewUser[], opts: ImportOptions, tx: Tx): Promise<void> {
    const byUnit = new Map<string, string[]>();
    for (const a of accounts) {
      const names = byUnit.get(a.orgUnitId);
      if (names) names.push(a.username);
      else byUnit.set(a.orgUnitId, [a.username]);
    }
    for (const [unitId, usernames] of byUnit) {
      await this.audit.record(tx, admin, {
        action: 'admin.user.import',
        subjectType: 'user',
        subjectId: null,
        unitId,
        before: null,
        after: { created: usernames.length, usernames, orgUnitId: unitId },
        detail: { passwordGiven: opts.password !== undefined, mustChangePassword: opts.mustChange ?? true },
      });
    }
  }
}

/** The row problems, at most MAX_LISTED_ERRORS of them, then how many more. */
function listed(errors: string[], rows: number): string[] {
  const head = [`nothing was imported: ${errors.length} of ${rows} row(s) have problems`];
  if (errors.length <= MAX_LISTED_ERRORS) return [...head, ...errors];
  return [...head, ...errors.slice(0, MAX_LISTED_ERRORS), `… and ${errors.length - MAX_LISTED_ERRORS} more`];
}
