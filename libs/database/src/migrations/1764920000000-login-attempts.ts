import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in attempts that failed (wrong username or password) or were refused by the login throttle: who tried
 * which account name, from where, when. Never the password. Written by LoginAttemptRepository (@kapok/throttle).
 */
export class LoginAttempts1764920000000 implements MigrationInterface {
  name = 'LoginAttempts1764920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        username text NOT NULL,
        user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        ip text,
        user_agent text,
        outcome text NOT NULL CHECK (outcome IN ('failed', 'refused')),
        refused_by text CHECK (refused_by IN ('account', 'address', 'both')),
        CHECK ((outcome = 'refused') = (refused_by IS NOT NULL))
      );
      CREATE INDEX login_attempts_username_idx ON login_attempts(lower(username), at);
      CREATE INDEX login_attempts_ip_idx ON login_attempts(ip, at);
      CREATE INDEX login_attempts_at_idx ON login_attempts(at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE login_attempts');
  }
}
