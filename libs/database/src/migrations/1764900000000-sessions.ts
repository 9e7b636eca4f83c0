import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in sessions: every access token carries the id of its session (`sid`), so a token stops working the moment
 * its session is revoked (sign-out, revoked from the sessions list, account deactivated) instead of at its expiry.
 */
export class Sessions1764900000000 implements MigrationInterface {
  name = 'Sessions1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN ('logout','revoked','deactivated')),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        ip text,
        user_agent text,
        CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
      );
      CREATE INDEX sessions_user_idx ON sessions(user_id, expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sessions');
  }
}
