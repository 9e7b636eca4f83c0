import { Injectable } from '@nestjs/common';
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
}

const toUser = (r: UserRow): AuthUser => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  orgUnitId: r.org_unit_id,
});

@Injectable()
export class UserRepository {
  constructor(private readonly db: Db) {}

  async create(
    u: { username: string; displayName: string; passwordHash: string; role: Role; orgUnitId: string },
    tx?: Tx,
  ): Promise<AuthUser> {
    const row = await this.db.one<UserRow>(
      `INSERT INTO users (username, display_name, password_hash, role, org_unit_id)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [u.username, u.displayName, u.passwordHash, u.role, u.orgUnitId],
      tx,
    );
    return toUser(row!);
  }

  async addSupervisedStations(userId: string, stationIds: string[], tx?: Tx): Promise<void> {
    await this.db.run(
      `INSERT INTO supervisor_stations (user_id, station_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [userId, stationIds],
      tx,
    );
  }

  /** Languages (ISO 639-3: yue 粤语, cmn 普通话, …) and service skills routing matches contacts against. */
  async setSkills(userId: string, languages: string[], skills: string[], tx?: Tx): Promise<void> {
    await this.db.run('UPDATE users SET languages = $2, skills = $3 WHERE id = $1', [userId, languages, skills], tx);
  }

  async findCredentials(username: string): Promise<(AuthUser & { passwordHash: string }) | undefined> {
    const row = await this.db.one<UserRow>('SELECT * FROM users WHERE lower(username) = lower($1) AND active', [
      username,
    ]);
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }

  async findActive(id: string): Promise<AuthUser | undefined> {
    const row = await this.db.one<UserRow>('SELECT * FROM users WHERE id = $1 AND active', [id]);
    return row && toUser(row);
  }
}
