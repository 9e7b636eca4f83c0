import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts managed through the administration API (issue 11):
 * - `must_change_password`: set for a temporary password (created, reset, imported); until the person chooses their
 *   own, signing in works but every other route answers 403 (libs/auth, PasswordChangeRequired);
 * - `password_changed_at`: when the person last chose their password (not set for temporary ones);
 * - `extension`: the person's phone extension (分机号), shown to coordinators; free text, digits in practice;
 * - `deactivated_at`: when the account was deactivated (history kept: a user row is never deleted).
 * Languages and skills are already on `users` (1764500000000-routing-rules); supervised stations are in
 * `supervisor_stations` (core schema).
 */
export class Accounts1765010000000 implements MigrationInterface {
  name = 'Accounts1765010000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
                        ADD COLUMN password_changed_at timestamptz,
                        ADD COLUMN extension text,
                        ADD COLUMN deactivated_at timestamptz;
      UPDATE users SET deactivated_at = now() WHERE NOT active;
      CREATE INDEX users_role_idx ON users(role);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX users_role_idx;
      ALTER TABLE users DROP COLUMN must_change_password, DROP COLUMN password_changed_at, DROP COLUMN extension,
                        DROP COLUMN deactivated_at;
    `);
  }
}
