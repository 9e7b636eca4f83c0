import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A temporary password (created, reset or imported by an admin, to be changed at the first sign-in) stops working
 * at `temporary_password_expires_at` (TEMPORARY_PASSWORD_TTL_HOURS after it was set): a one-time password handed
 * over on paper or in a chat must not stay a way in. NULL for a password the person chose. Accounts that already
 * hold a temporary password get the full time from now.
 */
export class TemporaryPasswordExpiry1765015000000 implements MigrationInterface {
  name = 'TemporaryPasswordExpiry1765015000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN temporary_password_expires_at timestamptz;
      UPDATE users SET temporary_password_expires_at = now() + interval '72 hours' WHERE must_change_password;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN temporary_password_expires_at`);
  }
}
