import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  applyFunctionSql,
  flushFunctionSql,
  flushStatements,
  flushTriggersSql,
  onTruncateFunctionSql,
  rebuildFunctionSql,
} from './1764700000000-stats';

/** The advisory lock key of folding the pending rollup changes (one folder at a time). */
export const STATS_FOLD_LOCK = 7235200;

/**
 * Rollups folded a moment later (issue 13, item 2). Until now each change's contribution was added to the rollup
 * rows at its transaction's commit (deferred constraint triggers): three of a contact's commits (intake, answer,
 * outcome) each updated a station's hot rollup rows, ~1.3 ms of Postgres each, and concurrent commits of one station
 * queued on those rows. Now the row triggers append the contribution to `stats_pending` (an insert, no shared row)
 * and `kapok_stats_fold()` moves what is pending into the rollups in one transaction, one folder at a time: the
 * router folds every few seconds (job `stats-fold`) and every read of the rollups folds first, so a reader still
 * sees every committed change. The rollups plus what is pending always equal a recomputation; `kapok_stats_rebuild()`
 * empties `stats_pending` under the lock that stops writers from adding to it.
 */
export class StatsFoldLater1765500000000 implements MigrationInterface {
  name = 'StatsFoldLater1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stats_pending (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        d kapok_stats_row NOT NULL
      );

      DROP TRIGGER contacts_stats_flush_insert ON contacts;
      DROP TRIGGER contacts_stats_flush_update ON contacts;
      DROP TRIGGER outcomes_stats_flush_insert ON outcomes;
      DROP TRIGGER outcomes_stats_flush_update ON outcomes;
      DROP FUNCTION kapok_stats_flush();

      -- (new contribution − old contribution) of one change, appended to what is pending
      CREATE OR REPLACE FUNCTION kapok_stats_apply(old_c contacts, old_o outcomes, new_c contacts, new_o outcomes)
        RETURNS void LANGUAGE plpgsql AS $fn$
      DECLARE
        a kapok_stats_row := kapok_stats_contrib(old_c, old_o, -1);
        b kapok_stats_row := kapok_stats_contrib(new_c, new_o, 1);
      BEGIN
        IF a.day IS NULL AND b.day IS NULL THEN RETURN; END IF;
        INSERT INTO stats_pending (d) SELECT x FROM unnest(ARRAY[a, b]) x WHERE x.day IS NOT NULL;
      END $fn$;

      -- Moves everything pending into the rollups; answers how many changes it folded. One folder at a time (the
      -- rollup rows are then written in one order by one transaction: no deadlock, no queue of writers on them).
      CREATE FUNCTION kapok_stats_fold() RETURNS integer LANGUAGE plpgsql AS $fn$
      DECLARE
        n integer;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM stats_pending) THEN RETURN 0; END IF;
        PERFORM pg_advisory_xact_lock(${STATS_FOLD_LOCK});
        IF to_regclass('pg_temp.kapok_stats_pending') IS NULL THEN
          CREATE TEMPORARY TABLE kapok_stats_pending OF kapok_stats_row;
        END IF;
        WITH folded AS (DELETE FROM stats_pending RETURNING d)
        INSERT INTO pg_temp.kapok_stats_pending SELECT (folded.d).* FROM folded;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 THEN
          ${flushStatements()}
        END IF;
        TRUNCATE pg_temp.kapok_stats_pending;
        RETURN n;
      END $fn$;

      -- Writers wait while the rollups are rebuilt (as before); what was pending is part of the recomputation.
      ${rebuildFunctionSql()
        .replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')
        .replace(
          'BEGIN',
          `BEGIN
        PERFORM pg_advisory_xact_lock(${STATS_FOLD_LOCK});
        LOCK TABLE stats_pending IN EXCLUSIVE MODE;
        DELETE FROM stats_pending;`,
        )}

      CREATE OR REPLACE FUNCTION kapok_stats_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_TABLE_NAME = 'contacts' THEN
          TRUNCATE stats_line, stats_worker, stats_target, stats_service, stats_pending;
        ELSE
          PERFORM kapok_stats_rebuild();
        END IF;
        RETURN NULL;
      END $fn$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    const replace = (sql: string) => sql.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
    await q.query(`
      SELECT kapok_stats_fold();
      DROP FUNCTION kapok_stats_fold();
      ${replace(applyFunctionSql())}
      ${replace(rebuildFunctionSql())}
      ${replace(onTruncateFunctionSql())}
      ${flushFunctionSql()}
      ${flushTriggersSql()}
      DROP TABLE stats_pending;
    `);
  }
}
