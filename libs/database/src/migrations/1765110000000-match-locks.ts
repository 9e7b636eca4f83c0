import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Matching locks by the organisation tree instead of one lock for the city (issue 13). A match takes the unit whose
 * operators and contacts it may pair exclusively, and every unit above it shared, from the root down (one order, so
 * no deadlock): matches in two stations run side by side, a match at a district level waits for the matches of its
 * stations (and they for it), a match at the city level for all. The root (the city) is the one-key advisory lock
 * 7235100 (MATCH_LOCK in libs/routing), the units below it the two-key locks (7235100, hashtext(unit id)): a hash
 * collision between two units only makes them wait for each other.
 */
export class MatchLocks1765110000000 implements MigrationInterface {
  name = 'MatchLocks1765110000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION kapok_lock_match(pool_path text) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        units text[] := string_to_array(trim(both '/' from pool_path), '/');
        n integer := cardinality(units);
      BEGIN
        IF n <= 1 THEN
          PERFORM pg_advisory_xact_lock(7235100);
          RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock_shared(7235100);
        FOR i IN 2 .. n - 1 LOOP
          PERFORM pg_advisory_xact_lock_shared(7235100, hashtext(units[i]));
        END LOOP;
        PERFORM pg_advisory_xact_lock(7235100, hashtext(units[n]));
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION kapok_lock_match(text);`);
  }
}
