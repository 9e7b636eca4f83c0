import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Masked numbers written before the stricter mask (libs/common/src/mask.ts), made to show no more than it allows.
 * The old mask kept the first 3 and last 4 characters of anything of 8 or more (`812****4567` of `81234567`,
 * `+86****5678`) and the last 4 of anything shorter (`***4567` of `1234567`), counting a leading `+` as one. The
 * numbers themselves are only encrypted (the key is not the database's), so this works from the old masked form:
 * - `1[3-9]x****xxxx`, a mainland mobile's 3 + 4, stays;
 * - any other `xxx****xxxx` becomes `****` and its last 4 digits (3 when it began with `+`: then there may
 *   have been only 7 digits);
 * - `*…xxxx` of 5 to 7 characters (4 to 7 digits) shows at most half of the fewest digits it may have had, none
 *   for 4.
 * A mask the new rule wrote never has either old form (it is left as it is, so running this twice changes
 * nothing). Also `AuditIntegrity1764910000000.remaskLegacyCallerNumbers`, for the test that checks it on real rows.
 */
const REMASK_LEGACY_CALLER_NUMBERS = `
  UPDATE contacts SET caller_number_masked = CASE
      WHEN left(caller_number_masked, 1) = '+' THEN '*****' || right(caller_number_masked, 3)
      WHEN caller_number_masked LIKE '___****____' THEN '****' || right(caller_number_masked, 4)
      WHEN length(caller_number_masked) <= 5 THEN repeat('*', length(caller_number_masked))
      ELSE repeat('*', length(caller_number_masked) - (length(caller_number_masked) - 1) / 2)
           || right(caller_number_masked, (length(caller_number_masked) - 1) / 2)
    END
   WHERE (caller_number_masked ~ '^[0-9+][0-9]{2}[*]{4}[0-9]{4}$' AND caller_number_masked !~ '^1[3-9]')
      OR caller_number_masked ~ '^[*]{1,3}[0-9]{4}$'`;

/**
 * The audit log is append-only: a row trigger refuses UPDATE and DELETE (1764600000000-records). TRUNCATE fires
 * no row trigger, and the application's role owns the table, so it could still empty it: a statement trigger
 * refuses TRUNCATE too (also a `TRUNCATE contacts … CASCADE` reaching it). Triggers bind the table's owner as
 * well; only disabling the trigger (`ALTER TABLE … DISABLE TRIGGER`) gets past it.
 *
 * And the masked caller numbers already stored are brought under the stricter mask (above).
 */
export class AuditIntegrity1764910000000 implements MigrationInterface {
  name = 'AuditIntegrity1764910000000';
  static readonly remaskLegacyCallerNumbers = REMASK_LEGACY_CALLER_NUMBERS;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION kapok_audit_log_append_only();
    `);
    await q.query(REMASK_LEGACY_CALLER_NUMBERS);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER audit_log_no_truncate ON audit_log');
  }
}
