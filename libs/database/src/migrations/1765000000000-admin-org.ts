import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Administration of the tree, the lines and the intake keys (issue 11; docs/administration.md):
 * - org_units: an optional `code` of the unit's own (unique whatever its case; CSV imports refer to units by it) and
 *   `closed_at` (a unit is closed, never deleted: its history stays). The level 'point' (村(居) point, below a
 *   station) has been allowed since the core schema.
 * - hotlines: `suspended_at` (a suspended line's intake is refused until it is resumed).
 * - intake_keys: still only a SHA-256 digest of the key (keys are random secrets; 1764400000000 stored the digest
 *   from the start, so nothing to re-hash). `revoked_at` replaces `active` (a revoked key is refused at once);
 *   `last_used_at` (written at most once a minute); rotation with an overlap: the replaced key's digest moves to
 *   `previous_key_hash` and is accepted until `previous_expires_at` (the key's id stays: the contacts it took and
 *   the gateway's idempotency by externalId stay with it); `all_lines` false limits the key to the lines in
 *   intake_key_hotlines.
 * - audit_log: an index for the administration log (`admin.*` actions, GET /api/admin/audit-log).
 */
export class AdminOrg1765000000000 implements MigrationInterface {
  name = 'AdminOrg1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE org_units ADD COLUMN code text CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
                            ADD COLUMN closed_at timestamptz;
      CREATE UNIQUE INDEX org_units_code_uq ON org_units (lower(code));

      ALTER TABLE hotlines ADD COLUMN suspended_at timestamptz;

      ALTER TABLE intake_keys ADD COLUMN revoked_at timestamptz,
                              ADD COLUMN last_used_at timestamptz,
                              ADD COLUMN rotated_at timestamptz,
                              ADD COLUMN previous_key_hash text,
                              ADD COLUMN previous_expires_at timestamptz,
                              ADD COLUMN all_lines boolean NOT NULL DEFAULT true,
                              ADD CONSTRAINT intake_keys_previous_ck
                                CHECK ((previous_key_hash IS NULL) = (previous_expires_at IS NULL));
      UPDATE intake_keys SET revoked_at = created_at WHERE NOT active;
      ALTER TABLE intake_keys DROP COLUMN active;
      CREATE UNIQUE INDEX intake_keys_previous_hash_uq ON intake_keys (previous_key_hash)
        WHERE previous_key_hash IS NOT NULL;

      CREATE TABLE intake_key_hotlines (
        intake_key_id uuid NOT NULL REFERENCES intake_keys(id),
        hotline_id uuid NOT NULL REFERENCES hotlines(id),
        PRIMARY KEY (intake_key_id, hotline_id)
      );
      CREATE INDEX intake_key_hotlines_hotline_idx ON intake_key_hotlines(hotline_id);

      CREATE INDEX audit_log_admin_idx ON audit_log(at) WHERE action LIKE 'admin.%';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX audit_log_admin_idx;
      DROP TABLE intake_key_hotlines;
      DROP INDEX intake_keys_previous_hash_uq;
      ALTER TABLE intake_keys ADD COLUMN active boolean NOT NULL DEFAULT true;
      UPDATE intake_keys SET active = false WHERE revoked_at IS NOT NULL;
      ALTER TABLE intake_keys DROP CONSTRAINT intake_keys_previous_ck, DROP COLUMN revoked_at,
                              DROP COLUMN last_used_at, DROP COLUMN rotated_at, DROP COLUMN previous_key_hash,
                              DROP COLUMN previous_expires_at, DROP COLUMN all_lines;
      ALTER TABLE hotlines DROP COLUMN suspended_at;
      DROP INDEX org_units_code_uq;
      ALTER TABLE org_units DROP COLUMN code, DROP COLUMN closed_at;
    `);
  }
}
