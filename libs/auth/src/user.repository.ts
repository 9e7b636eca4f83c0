import { Injectable } from '@nestjs/common';
import { iso } from '@kapok/common';
import type { AdminUserView } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { AuthUser, Role } from './auth.types';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  org_unit_id: string;
  active: boolean;
  must_change_password: boolean;
  temporary_password_expires_at: Date | null;
}

const toUser = (r: Pick<UserRow, 'id' | 'username' | 'display_name' | 'role' | 'org_unit_id'>): AuthUser => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  orgUnitId: r.org_unit_id,
});

/** A new account. Languages, skills, extension and the must-change mark are optional (empty, none, false). */
export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  orgUnitId: string;
  mustChangePassword?: boolean;
  /** When a temporary password (mustChangePassword) stops working (TemporaryPasswords.expiresAt). */
  temporaryPasswordExpiresAt?: Date | null;
  languages?: string[];
  skills?: string[];
  extension?: string | null;
}

/** What signing in checks: the hash, and whether the password is a temporary one and until when it works. */
export type UserCredentials = AuthUser & {
  passwordHash: string;
  mustChangePassword: boolean;
  temporaryPasswordExpiresAt: Date | null;
};

const toCredentials = (row: UserRow): UserCredentials => ({
  ...toUser(row),
  passwordHash: row.password_hash,
  mustChangePassword: row.must_change_password,
  temporaryPasswordExpiresAt: row.temporary_password_expires_at,
});

/** What an admin may change of an account (undefined: unchanged). */
export interface UserChanges {
  displayName?: string;
  role?: Role;
  orgUnitId?: string;
  languages?: string[];
  skills?: string[];
  extension?: string | null;
}

/** An account as admins see it, plus its home unit's path (what the delegation policy tests). */
export type AdminUserRecord = AdminUserView & { orgUnitPath: string };

/** The filters of the admins' list of accounts. */
export interface UserListFilter {
  /** Only accounts homed in this part of the tree (e.g. a unit and below: underUnitSql of libs/org). */
  under?: UnitCondition;
  role?: Role;
  active?: boolean;
  /** Part of the username or display name (case-insensitive). */
  search?: string;
  page: number;
  pageSize: number;
}

/**
 * Who may be listed: a condition on the org_units row `alias` that binds its parameters into `params` (the shape of
 * OrgScope.sql and AdminScope.sql: libs/org depends on this library, not the reverse).
 */
export interface UnitCondition {
  sql(alias: string, params: unknown[]): string;
}

interface AdminUserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  org_unit_id: string;
  org_unit_name: string;
  org_unit_code: string | null;
  org_unit_path: string;
  active: boolean;
  must_change_password: boolean;
  languages: string[];
  skills: string[];
  supervised: string[] | null;
  extension: string | null;
  created_at: Date;
  deactivated_at: Date | null;
  last_sign_in_at: Date | null;
}

const toAdminUser = (r: AdminUserRow): AdminUserRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  orgUnitId: r.org_unit_id,
  orgUnitName: r.org_unit_name,
  orgUnitCode: r.org_unit_code,
  orgUnitPath: r.org_unit_path,
  active: r.active,
  mustChangePassword: r.must_change_password,
  languages: r.languages ?? [],
  skills: r.skills ?? [],
  supervisedStationIds: r.supervised ?? [],
  extension: r.extension,
  createdAt: iso(r.created_at)!,
  deactivatedAt: iso(r.deactivated_at),
  lastSignInAt: iso(r.last_sign_in_at),
});

// One account as admins see it (`u` is users, `o` its home unit).
const ADMIN_USER_COLUMNS = `
  u.id, u.username, u.display_name, u.role, u.org_unit_id, o.name AS org_unit_name, o.code AS org_unit_code,
  o.path AS org_unit_path, u.active, u.must_change_password, u.languages, u.skills, u.extension, u.created_at,
  u.deactivated_at,
  ARRAY(SELECT ss.station_id::text FROM supervisor_stations ss WHERE ss.user_id = u.id ORDER BY ss.station_id)
    AS supervised,
  (SELECT max(s.created_at) FROM sessions s WHERE s.user_id = u.id) AS last_sign_in_at`;

/** The `users` and `supervisor_stations` tables: written only here. */
@Injectable()
export class UserRepository {
  constructor(private readonly db: Db) {}

  async create(u: NewUser, tx?: Tx): Promise<AuthUser> {
    const row = await this.db.one<UserRow>(
      `INSERT INTO users (username, display_name, password_hash, role, org_unit_id, must_change_password, languages,
                          skills, extension, temporary_password_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [
        u.username,
        u.displayName,
        u.passwordHash,
        u.role,
        u.orgUnitId,
        u.mustChangePassword ?? false,
        u.languages ?? [],
        u.skills ?? [],
        u.extension ?? null,
        u.temporaryPasswordExpiresAt ?? null,
      ],
      tx,
    );
    return toUser(row!);
  }

  /** Many accounts in one statement (an import): their ids by position. */
  async createMany(users: NewUser[], tx?: Tx): Promise<string[]> {
    if (!users.length) return [];
    const rows = await this.db.rows<{ id: string; username: string }>(
      `INSERT INTO users (username, display_name, password_hash, role, org_unit_id, must_change_password, languages,
                          skills, extension, temporary_password_expires_at)
       SELECT r->>'username', r->>'displayName', r->>'passwordHash', r->>'role', (r->>'orgUnitId')::uuid,
              (r->>'mustChangePassword')::boolean,
              ARRAY(SELECT jsonb_array_elements_text(r->'languages')),
              ARRAY(SELECT jsonb_array_elements_text(r->'skills')), r->>'extension',
              (r->>'temporaryPasswordExpiresAt')::timestamptz
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(r, ord)
        ORDER BY ord
       RETURNING id, username`,
      [
        JSON.stringify(
          users.map((u) => ({
            ...u,
            mustChangePassword: u.mustChangePassword ?? false,
            languages: u.languages ?? [],
            skills: u.skills ?? [],
            extension: u.extension ?? null,
            temporaryPasswordExpiresAt: u.temporaryPasswordExpiresAt ?? null,
          })),
        ),
      ],
      tx,
    );
    const byName = new Map(rows.map((r) => [r.username.toLowerCase(), r.id]));
    return users.map((u) => byName.get(u.username.toLowerCase())!);
  }

  async addSupervisedStations(userId: string, stationIds: string[], tx?: Tx): Promise<void> {
    await this.db.run(
      `INSERT INTO supervisor_stations (user_id, station_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [userId, stationIds],
      tx,
    );
  }

  /** The supervisor's stations become exactly these. */
  async setSupervisedStations(userId: string, stationIds: string[], tx?: Tx): Promise<void> {
    await this.db.run(
      'DELETE FROM supervisor_stations WHERE user_id = $1 AND NOT (station_id = ANY($2::uuid[]))',
      [userId, stationIds],
      tx,
    );
    await this.addSupervisedStations(userId, stationIds, tx);
  }

  /** Languages (ISO 639-3: yue 粤语, cmn 普通话, …) and service skills routing matches contacts against. */
  async setSkills(userId: string, languages: string[], skills: string[], tx?: Tx): Promise<void> {
    await this.db.run('UPDATE users SET languages = $2, skills = $3 WHERE id = $1', [userId, languages, skills], tx);
  }

  async findCredentials(username: string): Promise<UserCredentials | undefined> {
    const row = await this.db.one<UserRow>('SELECT * FROM users WHERE lower(username) = lower($1) AND active', [
      username,
    ]);
    return row && toCredentials(row);
  }

  /** An active account's password hash, by id (changing one's password checks the current one). */
  async findCredentialsById(id: string, tx?: Tx): Promise<UserCredentials | undefined> {
    const row = await this.db.one<UserRow>('SELECT * FROM users WHERE id = $1 AND active FOR UPDATE', [id], tx);
    return row && toCredentials(row);
  }

  async findActive(id: string): Promise<AuthUser | undefined> {
    const row = await this.db.one<UserRow>('SELECT * FROM users WHERE id = $1 AND active', [id]);
    return row && toUser(row);
  }

  /**
   * A new password hash. `temporaryUntil`: set by an admin (reset) and to be changed at the next sign-in, working
   * until then; null: chosen by the person (the must-change mark is cleared and the change time noted).
   */
  async setPassword(
    userId: string,
    passwordHash: string,
    temporaryUntil: Date | null,
    now: Date,
    tx?: Tx,
  ): Promise<void> {
    await this.db.run(
      `UPDATE users SET password_hash = $2, must_change_password = $3::timestamptz IS NOT NULL,
                        temporary_password_expires_at = $3::timestamptz,
                        password_changed_at = CASE WHEN $3::timestamptz IS NOT NULL THEN password_changed_at
                                                   ELSE $4::timestamptz END
        WHERE id = $1`,
      [userId, passwordHash, temporaryUntil, now],
      tx,
    );
  }

  /** Changes what is given; returns whether the account exists. */
  async update(userId: string, c: UserChanges, tx?: Tx): Promise<boolean> {
    const sets: string[] = [];
    const params: unknown[] = [userId];
    const set = (column: string, value: unknown, cast = '') => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (c.displayName !== undefined) set('display_name', c.displayName);
    if (c.role !== undefined) set('role', c.role);
    if (c.orgUnitId !== undefined) set('org_unit_id', c.orgUnitId, '::uuid');
    if (c.languages !== undefined) set('languages', c.languages, '::text[]');
    if (c.skills !== undefined) set('skills', c.skills, '::text[]');
    if (c.extension !== undefined) set('extension', c.extension);
    if (!sets.length) return true;
    return (await this.db.run(`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, params, tx)).rowCount > 0;
  }

  /** Deactivates (active: false, noted when) or reactivates an account; returns whether it changed. */
  async setActive(userId: string, active: boolean, now: Date, tx?: Tx): Promise<boolean> {
    const res = await this.db.run(
      `UPDATE users SET active = $2, deactivated_at = CASE WHEN $2 THEN NULL ELSE $3::timestamptz END
        WHERE id = $1 AND active <> $2`,
      [userId, active, now],
      tx,
    );
    return res.rowCount > 0;
  }

  /** Of these usernames, those already taken (lower case), whatever the account's state. */
  async takenUsernames(usernames: string[], tx?: Tx): Promise<Set<string>> {
    if (!usernames.length) return new Set();
    const rows = await this.db.rows<{ name: string }>(
      'SELECT lower(username) AS name FROM users WHERE lower(username) = ANY($1::text[])',
      [usernames.map((u) => u.toLowerCase())],
      tx,
    );
    return new Set(rows.map((r) => r.name));
  }

  /** One account as admins see it (also a deactivated one); `lock` holds its row until the transaction ends. */
  async findForAdmin(id: string, tx?: Tx, lock = false): Promise<AdminUserRecord | undefined> {
    if (lock) await this.db.run('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [id], tx);
    const row = await this.db.one<AdminUserRow>(
      `SELECT ${ADMIN_USER_COLUMNS} FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.id = $1`,
      [id],
      tx,
    );
    return row && toAdminUser(row);
  }

  /** Accounts whose home unit meets `reach`, filtered, by username; with the total of all pages. */
  async list(reach: UnitCondition, f: UserListFilter): Promise<{ items: AdminUserRecord[]; total: number }> {
    const { where, params } = this.listWhere(reach, f);
    const [count, rows] = await Promise.all([
      this.db.one<{ n: string }>(
        `SELECT count(*) AS n FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE ${where}`,
        params,
      ),
      this.db.rows<AdminUserRow>(
        `SELECT ${ADMIN_USER_COLUMNS} FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE ${where}
          ORDER BY lower(u.username) LIMIT ${Math.trunc(f.pageSize)} OFFSET ${Math.trunc((f.page - 1) * f.pageSize)}`,
        params,
      ),
    ]);
    return { items: rows.map(toAdminUser), total: Number(count?.n ?? 0) };
  }

  /** Every account the list would show with these filters (no paging): the export. */
  async listAll(reach: UnitCondition, f: Omit<UserListFilter, 'page' | 'pageSize'>): Promise<AdminUserRecord[]> {
    const { where, params } = this.listWhere(reach, f);
    const rows = await this.db.rows<AdminUserRow>(
      `SELECT ${ADMIN_USER_COLUMNS} FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE ${where}
        ORDER BY lower(u.username)`,
      params,
    );
    return rows.map(toAdminUser);
  }

  private listWhere(reach: UnitCondition, f: Omit<UserListFilter, 'page' | 'pageSize'>) {
    const params: unknown[] = [];
    const add = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [reach.sql('o', params)];
    if (f.under) where.push(f.under.sql('o', params));
    if (f.role) where.push(`u.role = ${add(f.role)}`);
    if (f.active !== undefined) where.push(`u.active = ${add(f.active)}`);
    if (f.search) {
      // LIKE's wildcards in the search text are matched literally
      const pattern = `%${f.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const p = add(pattern);
      where.push(`(lower(u.username) LIKE ${p} OR lower(u.display_name) LIKE ${p})`);
    }
    return { where: where.join(' AND '), params };
  }
}
