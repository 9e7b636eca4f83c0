import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics rollups (docs/statistics.md).
 *
 * Four rollup tables, each with a day row and a month row per key ("grain" 'd' / 'm'; `period` is the
 * Asia/Shanghai day, or the first day of its month), holding the same additive figures:
 *   stats_line     (station, hotline, channel)   → totals, day/week/month, region/district/station/hotline/channel
 *   stats_worker   (station, worker)             → groupBy=worker (the operator who answered; a zero uuid for none)
 *   stats_target   (station, target group)       → groupBy=targetGroup ('none' without an outcome)
 *   stats_service  (station, service type)       → groupBy=serviceType (one row per type of the outcome; 'none')
 * Every figure of a contact is counted on the Asia/Shanghai day it reached the hotline (queued_at).
 *
 * Maintained by triggers in the same transaction as the write that changes a counted fact: a contact's insert,
 * its answer, abandonment, completion (and any change of the columns a figure depends on), and every insert,
 * update or delete of an outcome (records can be amended). A row trigger computes the contact's contribution
 * before and after the change (kapok_stats_contrib) and keeps the difference in a temporary table; deferred
 * constraint triggers add the pending differences to the rollups at commit, in key order. So the hot rollup rows
 * are always the last locks a transaction takes (no deadlock with the contact → offer → operator order), and a
 * rolled-back transaction leaves nothing behind.
 *
 * kapok_stats_recompute_*([from, to)) compute the same rows from the raw records (contacts queued in [from, to)),
 * set-based and independently written; kapok_stats_rebuild() replaces the rollups with them (used here to backfill
 * existing data). A partial index on open contacts serves the live monitor (waiting, who holds what).
 */

/** Additive figures: name, type, and the contribution of one contact `c` with its outcome `o` (may be null). */
const US = (a: string, b: string) => `(extract(epoch FROM ${b} - ${a}) * 1000000)::bigint`;
const SL = `interval '20 seconds'`;
const PROBLEMS = `(CASE WHEN jsonb_typeof((o).problems) = 'array' THEN (o).problems ELSE '[]'::jsonb END)`;
const FIGS: { name: string; type: 'integer' | 'bigint'; contrib: string }[] = [
  { name: 'contacts', type: 'integer', contrib: '1' },
  { name: 'answered', type: 'integer', contrib: '((c).answered_at IS NOT NULL)::int' },
  {
    name: 'answered_in_sl',
    type: 'integer',
    contrib: `COALESCE((c).answered_at - (c).queued_at <= ${SL}, false)::int`,
  },
  {
    name: 'answer_wait_us',
    type: 'bigint',
    contrib: `COALESCE(${US('(c).queued_at', '(c).answered_at')}, 0)`,
  },
  { name: 'abandoned', type: 'integer', contrib: `((c).status = 'abandoned')::int` },
  {
    name: 'abandoned_after_sl',
    type: 'integer',
    contrib: `COALESCE((c).status = 'abandoned' AND (c).abandoned_at - (c).queued_at > ${SL}, false)::int`,
  },
  { name: 'served', type: 'integer', contrib: `((c).status = 'completed')::int` },
  {
    name: 'handled',
    type: 'integer',
    contrib: `((c).status = 'completed' AND (c).answered_at IS NOT NULL AND (c).completed_at IS NOT NULL)::int`,
  },
  {
    name: 'handle_us',
    type: 'bigint',
    contrib: `CASE WHEN (c).status = 'completed' THEN COALESCE(${US('(c).answered_at', '(c).completed_at')}, 0) ELSE 0 END`,
  },
  {
    name: 'problems_raised',
    type: 'integer',
    contrib: `CASE WHEN (o).id IS NULL THEN 0 ELSE jsonb_array_length(${PROBLEMS}) END`,
  },
  {
    name: 'problems_resolved',
    type: 'integer',
    contrib: `CASE WHEN (o).id IS NULL THEN 0
                ELSE (SELECT count(*)::int FROM jsonb_array_elements(${PROBLEMS}) p WHERE p ->> 'resolution' = 'resolved') END`,
  },
  {
    name: 'material_aid',
    type: 'integer',
    contrib: `COALESCE('material_aid' = ANY((o).service_types), false)::int`,
  },
  {
    name: 'psychological',
    type: 'integer',
    contrib: `COALESCE('psychological_support' = ANY((o).service_types), false)::int`,
  },
  {
    name: 'high_risk',
    type: 'integer',
    contrib: `((c).risk_level IN ('high','critical')
               OR COALESCE((o).psychological ->> 'riskAssessment' IN ('high','imminent'), false))::int`,
  },
];

/** The rollup tables and their key columns (after grain and period). */
const TABLES: { name: string; keys: { col: string; type: string; from: string }[]; unnest?: boolean }[] = [
  {
    name: 'stats_line',
    keys: [
      { col: 'station_id', type: 'uuid', from: 'r.station_id' },
      { col: 'hotline_id', type: 'uuid', from: 'r.hotline_id' },
      { col: 'channel', type: 'text', from: 'r.channel' },
    ],
  },
  {
    name: 'stats_worker',
    keys: [
      { col: 'station_id', type: 'uuid', from: 'r.station_id' },
      { col: 'worker_id', type: 'uuid', from: 'r.worker_id' },
    ],
  },
  {
    name: 'stats_target',
    keys: [
      { col: 'station_id', type: 'uuid', from: 'r.station_id' },
      { col: 'target_group', type: 'text', from: 'r.target_group' },
    ],
  },
  {
    name: 'stats_service',
    keys: [
      { col: 'station_id', type: 'uuid', from: 'r.station_id' },
      { col: 'service_type', type: 'text', from: 'st.service_type' },
    ],
    unnest: true,
  },
];

const NO_WORKER = `'00000000-0000-0000-0000-000000000000'::uuid`;
const figCols = FIGS.map((f) => f.name).join(', ');

function createTables(): string {
  return TABLES.map(
    (t) => `
    CREATE TABLE ${t.name} (
      grain "char" NOT NULL CHECK (grain IN ('d','m')),
      period date NOT NULL,
      ${t.keys.map((k) => `${k.col} ${k.type} NOT NULL`).join(',\n      ')},
      ${FIGS.map((f) => `${f.name} ${f.type} NOT NULL DEFAULT 0`).join(',\n      ')},
      PRIMARY KEY (grain, period, ${t.keys.map((k) => k.col).join(', ')})
    ) WITH (fillfactor = 70);`,
  ).join('\n');
}

/**
 * One upsert per table of everything pending in this transaction: grouped by key (day and month rows), zero
 * differences dropped, rows locked in key order and tables in a fixed order, so two flushing transactions never
 * wait for each other in a cycle.
 */
export function flushStatements(): string {
  return TABLES.map((t) => {
    const keyCols = ['grain', 'period', ...t.keys.map((k) => k.col)];
    const n = keyCols.length;
    const positions = Array.from({ length: n }, (_, i) => i + 1).join(', ');
    return `
      INSERT INTO ${t.name} AS t (${keyCols.join(', ')}, ${figCols})
      SELECT g.grain, CASE WHEN g.grain = 'd' THEN r.day ELSE date_trunc('month', r.day::timestamp)::date END,
             ${t.keys.map((k) => k.from).join(', ')},
             ${FIGS.map((f) => `sum(r.${f.name})::${f.type}`).join(', ')}
        FROM pg_temp.kapok_stats_pending r
        ${t.unnest ? 'CROSS JOIN LATERAL unnest(r.service_types) st(service_type)' : ''}
        CROSS JOIN (VALUES ('d'::"char"), ('m'::"char")) g(grain)
       WHERE r.day IS NOT NULL
       GROUP BY ${positions}
      HAVING ${FIGS.map((f) => `sum(r.${f.name}) <> 0`).join(' OR ')}
       ORDER BY ${positions}
      ON CONFLICT (${keyCols.join(', ')}) DO UPDATE SET
        ${FIGS.map((f) => `${f.name} = t.${f.name} + EXCLUDED.${f.name}`).join(',\n        ')};`;
  }).join('\n');
}

/**
 * Set-based recomputation from the raw records (independent of the trigger's per-contact code): day rows grouped
 * from contacts ⟕ outcomes, month rows summed from the day rows.
 */
function recomputeFunctions(): string {
  const figSums = `
        count(*) AS contacts,
        count(*) FILTER (WHERE b.answered_at IS NOT NULL) AS answered,
        count(*) FILTER (WHERE b.answered_at - b.queued_at <= ${SL}) AS answered_in_sl,
        COALESCE(sum(extract(epoch FROM b.answered_at - b.queued_at) * 1000000), 0) AS answer_wait_us,
        count(*) FILTER (WHERE b.status = 'abandoned') AS abandoned,
        count(*) FILTER (WHERE b.status = 'abandoned' AND b.abandoned_at - b.queued_at > ${SL}) AS abandoned_after_sl,
        count(*) FILTER (WHERE b.status = 'completed') AS served,
        count(*) FILTER (WHERE b.status = 'completed' AND b.answered_at IS NOT NULL AND b.completed_at IS NOT NULL) AS handled,
        COALESCE(sum(extract(epoch FROM b.completed_at - b.answered_at) * 1000000) FILTER (WHERE b.status = 'completed'), 0) AS handle_us,
        COALESCE(sum(b.problems_raised), 0) AS problems_raised,
        COALESCE(sum(b.problems_resolved), 0) AS problems_resolved,
        count(*) FILTER (WHERE 'material_aid' = ANY(b.service_types)) AS material_aid,
        count(*) FILTER (WHERE 'psychological_support' = ANY(b.service_types)) AS psychological,
        count(*) FILTER (WHERE b.risk_level IN ('high','critical') OR b.risk_assessment IN ('high','imminent')) AS high_risk`;
  const base = `
      WITH b AS (
        SELECT (c.queued_at AT TIME ZONE 'Asia/Shanghai')::date AS day, c.station_id, c.hotline_id, c.channel,
               COALESCE(CASE WHEN c.answered_at IS NOT NULL THEN c.assigned_worker_id END, ${NO_WORKER}) AS worker_id,
               c.status, c.queued_at, c.answered_at, c.abandoned_at, c.completed_at, c.risk_level,
               o.id AS outcome_id, COALESCE(o.target_group, 'none') AS target_group, o.service_types,
               CASE WHEN o.id IS NULL OR cardinality(array_remove(o.service_types, NULL)) = 0 THEN ARRAY['none']
                    ELSE array_remove(o.service_types, NULL) END AS service_list,
               o.psychological ->> 'riskAssessment' AS risk_assessment,
               CASE WHEN jsonb_typeof(o.problems) = 'array' THEN jsonb_array_length(o.problems) ELSE 0 END
                 AS problems_raised,
               CASE WHEN jsonb_typeof(o.problems) = 'array'
                    THEN jsonb_array_length(jsonb_path_query_array(o.problems, 'strict $[*] ? (@.resolution == "resolved")'))
                    ELSE 0 END AS problems_resolved
          FROM contacts c
          LEFT JOIN outcomes o ON o.contact_id = c.id
         WHERE c.queued_at >= from_ts AND c.queued_at < to_ts
      )`;
  return TABLES.map((t) => {
    const keyDefs = t.keys.map((k) => `${k.col} ${k.type}`).join(', ');
    const keyCols = t.keys.map((k) => k.col).join(', ');
    const source = t.unnest
      ? `(SELECT b0.*, st.service_type FROM b b0
            CROSS JOIN LATERAL unnest(b0.service_list) WITH ORDINALITY st(service_type, n)
           WHERE array_position(b0.service_list, st.service_type) = st.n) b`
      : 'b';
    return `
    CREATE FUNCTION kapok_stats_recompute_${t.name.slice(6)}(
        from_ts timestamptz DEFAULT '-infinity', to_ts timestamptz DEFAULT 'infinity')
      RETURNS TABLE (grain "char", period date, ${keyDefs}, ${FIGS.map((f) => `${f.name} ${f.type}`).join(', ')})
      LANGUAGE sql STABLE AS $fn$
      ${base}, d AS (
        SELECT b.day AS period, ${t.keys.map((k) => `b.${k.col}`).join(', ')}, ${figSums}
          FROM ${source}
         GROUP BY b.day, ${t.keys.map((k) => `b.${k.col}`).join(', ')}
      )
      SELECT 'd'::"char", d.period, ${t.keys.map((k) => `d.${k.col}`).join(', ')},
             ${FIGS.map((f) => `d.${f.name}::${f.type}`).join(', ')}
        FROM d
      UNION ALL
      SELECT 'm'::"char", date_trunc('month', d.period::timestamp)::date, ${t.keys.map((k) => `d.${k.col}`).join(', ')},
             ${FIGS.map((f) => `sum(d.${f.name})::${f.type}`).join(', ')}
        FROM d GROUP BY date_trunc('month', d.period::timestamp), ${keyCols}
    $fn$;`;
  }).join('\n');
}

/** An update of a contact that changes a figure or a key (the rest — offers, releases, ends — fires nothing). */
const CONTACT_COUNTED_CHANGE = `OLD.answered_at IS DISTINCT FROM NEW.answered_at
          OR OLD.completed_at IS DISTINCT FROM NEW.completed_at
          OR OLD.abandoned_at IS DISTINCT FROM NEW.abandoned_at
          OR (OLD.status IN ('completed','abandoned') OR NEW.status IN ('completed','abandoned'))
             AND OLD.status IS DISTINCT FROM NEW.status
          OR OLD.queued_at IS DISTINCT FROM NEW.queued_at
          OR OLD.station_id IS DISTINCT FROM NEW.station_id
          OR OLD.hotline_id IS DISTINCT FROM NEW.hotline_id
          OR OLD.channel IS DISTINCT FROM NEW.channel
          OR OLD.risk_level IS DISTINCT FROM NEW.risk_level
          OR (NEW.answered_at IS NOT NULL AND OLD.assigned_worker_id IS DISTINCT FROM NEW.assigned_worker_id))`;

/** The statistics functions and triggers as this migration made them (StatsFoldLater1765500000000.down restores them). */
export const applyFunctionSql =
  () => `CREATE FUNCTION kapok_stats_apply(old_c contacts, old_o outcomes, new_c contacts, new_o outcomes) RETURNS void
        LANGUAGE plpgsql AS $fn$
      DECLARE
        a kapok_stats_row := kapok_stats_contrib(old_c, old_o, -1);
        b kapok_stats_row := kapok_stats_contrib(new_c, new_o, 1);
      BEGIN
        IF a.day IS NULL AND b.day IS NULL THEN RETURN; END IF;
        IF to_regclass('pg_temp.kapok_stats_pending') IS NULL THEN
          CREATE TEMPORARY TABLE kapok_stats_pending OF kapok_stats_row;
        END IF;
        INSERT INTO pg_temp.kapok_stats_pending SELECT * FROM unnest(ARRAY[a, b]) x WHERE x.day IS NOT NULL;
      END $fn$;`;
export const flushFunctionSql = () => `CREATE FUNCTION kapok_stats_flush() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        n integer;
      BEGIN
        IF to_regclass('pg_temp.kapok_stats_pending') IS NULL
           OR NOT EXISTS (SELECT 1 FROM pg_temp.kapok_stats_pending) THEN
          RETURN NULL;
        END IF;
        ${flushStatements()}
        DELETE FROM pg_temp.kapok_stats_pending;
        -- Nothing vacuums a temporary table: every 1000 flushes of this session it is emptied for real, so deleted
        -- rows never pile up. (ON COMMIT DELETE ROWS would truncate it at every commit, which costs about 1 ms.)
        n := COALESCE(NULLIF(current_setting('kapok.stats_flushes', true), ''), '0')::integer + 1;
        IF n >= 1000 THEN
          TRUNCATE pg_temp.kapok_stats_pending;
          n := 0;
        END IF;
        PERFORM set_config('kapok.stats_flushes', n::text, false);
        RETURN NULL;
      END $fn$;`;
export const rebuildFunctionSql = () => `CREATE FUNCTION kapok_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        LOCK TABLE stats_line, stats_worker, stats_target, stats_service IN EXCLUSIVE MODE;
        TRUNCATE stats_line, stats_worker, stats_target, stats_service;
        ${TABLES.map(
          (t) =>
            `INSERT INTO ${t.name} SELECT * FROM kapok_stats_recompute_${t.name.slice(6)}() ` +
            `ORDER BY ${Array.from({ length: t.keys.length + 2 }, (_, i) => i + 1).join(', ')};`,
        ).join('\n        ')}
      END $fn$;`;
export const onTruncateFunctionSql =
  () => `CREATE FUNCTION kapok_stats_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_TABLE_NAME = 'contacts' THEN
          TRUNCATE stats_line, stats_worker, stats_target, stats_service;
        ELSE
          PERFORM kapok_stats_rebuild();
        END IF;
        RETURN NULL;
      END $fn$;`;
export const flushTriggersSql =
  () => `CREATE CONSTRAINT TRIGGER contacts_stats_flush_insert AFTER INSERT OR DELETE ON contacts
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kapok_stats_flush();
      CREATE CONSTRAINT TRIGGER contacts_stats_flush_update AFTER UPDATE ON contacts
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (
${CONTACT_COUNTED_CHANGE}
        EXECUTE FUNCTION kapok_stats_flush();
      CREATE CONSTRAINT TRIGGER outcomes_stats_flush_insert AFTER INSERT OR DELETE ON outcomes
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kapok_stats_flush();
      CREATE CONSTRAINT TRIGGER outcomes_stats_flush_update AFTER UPDATE ON outcomes
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (
             OLD.contact_id IS DISTINCT FROM NEW.contact_id
          OR OLD.service_types IS DISTINCT FROM NEW.service_types
          OR OLD.target_group IS DISTINCT FROM NEW.target_group
          OR OLD.problems IS DISTINCT FROM NEW.problems
          OR OLD.psychological IS DISTINCT FROM NEW.psychological)
        EXECUTE FUNCTION kapok_stats_flush();`;

export class Stats1764700000000 implements MigrationInterface {
  name = 'Stats1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ${createTables()}

      -- One contact's contribution (with its outcome, or none): keys and figures, multiplied by sign.
      CREATE TYPE kapok_stats_row AS (
        day date, station_id uuid, hotline_id uuid, channel text, worker_id uuid, target_group text,
        service_types text[],
        ${FIGS.map((f) => `${f.name} ${f.type}`).join(', ')}
      );

      -- plpgsql (not sql): its statement's plan is cached for the session, not planned again on every call.
      CREATE FUNCTION kapok_stats_contrib(c contacts, o outcomes, sign integer) RETURNS kapok_stats_row
        LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        r kapok_stats_row;
      BEGIN
        IF c.id IS NULL THEN RETURN NULL; END IF;
        SELECT ((c).queued_at AT TIME ZONE 'Asia/Shanghai')::date,
               (c).station_id, (c).hotline_id, (c).channel,
               COALESCE(CASE WHEN (c).answered_at IS NOT NULL THEN (c).assigned_worker_id END, ${NO_WORKER}),
               COALESCE((o).target_group, 'none'),
               CASE WHEN (o).id IS NULL OR cardinality(array_remove((o).service_types, NULL)) = 0 THEN ARRAY['none']
                    ELSE ARRAY(SELECT DISTINCT x FROM unnest(array_remove((o).service_types, NULL)) x ORDER BY x) END,
               ${FIGS.map((f) => `sign * (${f.contrib})`).join(',\n               ')}
          INTO r;
        RETURN r;
      END $fn$;

      -- Records (new contribution − old contribution) of one change as pending, in this session's temporary table.
      -- Computed at the change, from the state the transaction sees then; applied at commit (kapok_stats_flush).
      ${applyFunctionSql()}

      -- At commit (deferred constraint triggers): adds everything pending to the rollups. The rollup rows are the
      -- last locks a transaction takes, after the contact, offer and operator rows, and in one global order: the
      -- hot rollup rows never take part in a deadlock. The first flush of a transaction does the work.
      ${flushFunctionSql()}

      CREATE FUNCTION kapok_stats_on_contact() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        o outcomes;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM kapok_stats_apply(NULL, NULL, NEW, NULL);
        ELSIF TG_OP = 'UPDATE' THEN
          SELECT * INTO o FROM outcomes WHERE contact_id = NEW.id;
          PERFORM kapok_stats_apply(OLD, o, NEW, o);
        ELSE
          SELECT * INTO o FROM outcomes WHERE contact_id = OLD.id;
          PERFORM kapok_stats_apply(OLD, o, NULL, NULL);
        END IF;
        RETURN NULL;
      END $fn$;

      -- The contact is read FOR SHARE: a concurrent transition of the same contact waits for this transaction
      -- (and then sees this outcome), or this waits for it (and sees the contact as it left it).
      CREATE FUNCTION kapok_stats_on_outcome() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        c contacts;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT * INTO c FROM contacts WHERE id = NEW.contact_id FOR SHARE;
          PERFORM kapok_stats_apply(c, NULL, c, NEW);
        ELSIF TG_OP = 'DELETE' THEN
          SELECT * INTO c FROM contacts WHERE id = OLD.contact_id FOR SHARE;
          PERFORM kapok_stats_apply(c, OLD, c, NULL);
        ELSIF OLD.contact_id = NEW.contact_id THEN
          SELECT * INTO c FROM contacts WHERE id = NEW.contact_id FOR SHARE;
          PERFORM kapok_stats_apply(c, OLD, c, NEW);
        ELSE
          SELECT * INTO c FROM contacts WHERE id = OLD.contact_id FOR SHARE;
          PERFORM kapok_stats_apply(c, OLD, c, NULL);
          SELECT * INTO c FROM contacts WHERE id = NEW.contact_id FOR SHARE;
          PERFORM kapok_stats_apply(c, NULL, c, NEW);
        END IF;
        RETURN NULL;
      END $fn$;

      ${recomputeFunctions()}

      ${rebuildFunctionSql()}

      ${onTruncateFunctionSql()}

      -- Only the columns a figure or key depends on fire it: offers, releases and ends cost nothing here.
      CREATE TRIGGER contacts_stats_insert AFTER INSERT ON contacts
        FOR EACH ROW EXECUTE FUNCTION kapok_stats_on_contact();
      CREATE TRIGGER contacts_stats_update AFTER UPDATE ON contacts
        FOR EACH ROW WHEN (
${CONTACT_COUNTED_CHANGE}
        EXECUTE FUNCTION kapok_stats_on_contact();
      CREATE TRIGGER contacts_stats_delete AFTER DELETE ON contacts
        FOR EACH ROW EXECUTE FUNCTION kapok_stats_on_contact();
      CREATE TRIGGER contacts_stats_truncate AFTER TRUNCATE ON contacts
        FOR EACH STATEMENT EXECUTE FUNCTION kapok_stats_on_truncate();

      CREATE TRIGGER outcomes_stats_insert_delete AFTER INSERT OR DELETE ON outcomes
        FOR EACH ROW EXECUTE FUNCTION kapok_stats_on_outcome();
      CREATE TRIGGER outcomes_stats_update AFTER UPDATE ON outcomes
        FOR EACH ROW WHEN (
             OLD.contact_id IS DISTINCT FROM NEW.contact_id
          OR OLD.service_types IS DISTINCT FROM NEW.service_types
          OR OLD.target_group IS DISTINCT FROM NEW.target_group
          OR OLD.problems IS DISTINCT FROM NEW.problems
          OR OLD.psychological IS DISTINCT FROM NEW.psychological)
        EXECUTE FUNCTION kapok_stats_on_outcome();
      CREATE TRIGGER outcomes_stats_truncate AFTER TRUNCATE ON outcomes
        FOR EACH STATEMENT EXECUTE FUNCTION kapok_stats_on_truncate();

      -- The flush, at commit, after the changes above.
      ${flushTriggersSql()}

      -- The live monitor reads waiting and held contacts every second: only open contacts are in this index.
      CREATE INDEX contacts_open_idx ON contacts (station_id, status) INCLUDE (queued_at, assigned_worker_id)
        WHERE status IN ('queued','offered','active','wrap_up');

      -- Existing records (a database upgraded to this version).
      SELECT kapok_stats_rebuild();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX contacts_open_idx;
      DROP TRIGGER outcomes_stats_flush_update ON outcomes;
      DROP TRIGGER outcomes_stats_flush_insert ON outcomes;
      DROP TRIGGER contacts_stats_flush_update ON contacts;
      DROP TRIGGER contacts_stats_flush_insert ON contacts;
      DROP TRIGGER outcomes_stats_truncate ON outcomes;
      DROP TRIGGER outcomes_stats_update ON outcomes;
      DROP TRIGGER outcomes_stats_insert_delete ON outcomes;
      DROP TRIGGER contacts_stats_truncate ON contacts;
      DROP TRIGGER contacts_stats_delete ON contacts;
      DROP TRIGGER contacts_stats_update ON contacts;
      DROP TRIGGER contacts_stats_insert ON contacts;
      DROP FUNCTION kapok_stats_on_truncate();
      DROP FUNCTION kapok_stats_rebuild();
      ${TABLES.map((t) => `DROP FUNCTION kapok_stats_recompute_${t.name.slice(6)}(timestamptz, timestamptz);`).join('\n      ')}
      DROP FUNCTION kapok_stats_on_outcome();
      DROP FUNCTION kapok_stats_on_contact();
      DROP FUNCTION kapok_stats_flush();
      DROP FUNCTION kapok_stats_apply(contacts, outcomes, contacts, outcomes);
      DROP FUNCTION kapok_stats_contrib(contacts, outcomes, integer);
      DROP TYPE kapok_stats_row CASCADE;
      DROP TABLE ${TABLES.map((t) => t.name).join(', ')};
    `);
  }
}
