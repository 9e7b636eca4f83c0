import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The duty board (issue 13): what matching needs to know about each operator, kept on their agent_states row as it
 * changes, so that "who is on duty in this unit" and "who in this unit has room" are index range scans instead of
 * rebuilding the city's on-duty list from agent_states, agent_sessions and the contacts they hold at every match.
 *
 *   station_path  the materialised path of their station (org_units.path), copied; kept when a unit moves
 *   sockets       how many sockets of theirs are connected (rows in agent_sessions)
 *   phones        phone contacts they hold (offered, active or wrap_up)
 *   chats         text contacts (chat, wechat) they hold
 *   offered       contacts ringing for them (any channel)
 *   on_duty       presence = 'available' with a socket connected (generated)
 *
 * Row triggers keep the copies true in the same transaction as the change they follow, whoever writes it:
 * agent_sessions (insert/delete), contacts (insert, update of status/assigned_worker_id/channel, delete), org_units
 * (update of path), and agent_states itself (a new row, or a new station, reads them afresh). The paths are compared
 * in the "C" collation, where a subtree is one range: [path, path without its last '/' || '0').
 */
export class DutyBoard1765400000000 implements MigrationInterface {
  name = 'DutyBoard1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE agent_states
        ADD COLUMN station_path text COLLATE "C",
        ADD COLUMN sockets integer NOT NULL DEFAULT 0 CHECK (sockets >= 0),
        ADD COLUMN phones integer NOT NULL DEFAULT 0 CHECK (phones >= 0),
        ADD COLUMN chats integer NOT NULL DEFAULT 0 CHECK (chats >= 0),
        ADD COLUMN offered integer NOT NULL DEFAULT 0 CHECK (offered >= 0);

      -- The end of a subtree's range in the "C" collation: every path below '/a/b/' sorts in ['/a/b/', '/a/b0').
      CREATE FUNCTION kapok_path_end(path text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT left(path, -1) || '0' $$;

      -- What an agent_states row copies, read afresh from the tables it copies.
      CREATE FUNCTION kapok_duty_fill() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT path INTO NEW.station_path FROM org_units WHERE id = NEW.station_id;
        IF TG_OP = 'INSERT' THEN
          SELECT count(*) INTO NEW.sockets FROM agent_sessions WHERE user_id = NEW.user_id;
          SELECT count(*) FILTER (WHERE channel = 'phone'), count(*) FILTER (WHERE channel <> 'phone'),
                 count(*) FILTER (WHERE status = 'offered')
            INTO NEW.phones, NEW.chats, NEW.offered
            FROM contacts WHERE assigned_worker_id = NEW.user_id AND status IN ('offered','active','wrap_up');
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER agent_states_duty_fill BEFORE INSERT OR UPDATE OF station_id ON agent_states
        FOR EACH ROW EXECUTE FUNCTION kapok_duty_fill();

      CREATE FUNCTION kapok_duty_sockets() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('DELETE','UPDATE') THEN
          UPDATE agent_states SET sockets = sockets - 1 WHERE user_id = OLD.user_id;
        END IF;
        IF TG_OP IN ('INSERT','UPDATE') THEN
          UPDATE agent_states SET sockets = sockets + 1 WHERE user_id = NEW.user_id;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER agent_sessions_duty AFTER INSERT OR DELETE OR UPDATE OF user_id ON agent_sessions
        FOR EACH ROW EXECUTE FUNCTION kapok_duty_sockets();

      -- A contact counts for its operator while it is offered, active or in wrap-up.
      CREATE FUNCTION kapok_duty_load() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        was boolean := TG_OP <> 'INSERT' AND OLD.assigned_worker_id IS NOT NULL
                       AND OLD.status IN ('offered','active','wrap_up');
        is_now boolean := TG_OP <> 'DELETE' AND NEW.assigned_worker_id IS NOT NULL
                          AND NEW.status IN ('offered','active','wrap_up');
      BEGIN
        IF was AND is_now AND OLD.assigned_worker_id = NEW.assigned_worker_id AND OLD.channel = NEW.channel
           AND (OLD.status = 'offered') = (NEW.status = 'offered') THEN
          RETURN NULL;
        END IF;
        IF was THEN
          UPDATE agent_states
             SET phones = phones - (OLD.channel = 'phone')::int, chats = chats - (OLD.channel <> 'phone')::int,
                 offered = offered - (OLD.status = 'offered')::int
           WHERE user_id = OLD.assigned_worker_id;
        END IF;
        IF is_now THEN
          UPDATE agent_states
             SET phones = phones + (NEW.channel = 'phone')::int, chats = chats + (NEW.channel <> 'phone')::int,
                 offered = offered + (NEW.status = 'offered')::int
           WHERE user_id = NEW.assigned_worker_id;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER contacts_duty_load AFTER INSERT OR DELETE OR UPDATE OF status, assigned_worker_id, channel
        ON contacts FOR EACH ROW EXECUTE FUNCTION kapok_duty_load();

      CREATE FUNCTION kapok_duty_path() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE agent_states SET station_path = NEW.path WHERE station_id = NEW.id;
        RETURN NULL;
      END $$;
      CREATE TRIGGER org_units_duty_path AFTER UPDATE OF path ON org_units
        FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION kapok_duty_path();

      -- The rows there are now.
      UPDATE agent_states a
         SET station_path = (SELECT s.path FROM org_units s WHERE s.id = a.station_id),
             sockets = (SELECT count(*) FROM agent_sessions x WHERE x.user_id = a.user_id),
             phones = (SELECT count(*) FROM contacts c WHERE c.assigned_worker_id = a.user_id
                          AND c.status IN ('offered','active','wrap_up') AND c.channel = 'phone'),
             chats = (SELECT count(*) FROM contacts c WHERE c.assigned_worker_id = a.user_id
                         AND c.status IN ('offered','active','wrap_up') AND c.channel <> 'phone'),
             offered = (SELECT count(*) FROM contacts c WHERE c.assigned_worker_id = a.user_id AND c.status = 'offered');
      ALTER TABLE agent_states ALTER COLUMN station_path SET NOT NULL,
        ADD COLUMN on_duty boolean GENERATED ALWAYS AS (presence = 'available' AND sockets > 0) STORED;

      -- Who is on duty below a unit; who below a unit could take one more contact (idle longest first).
      CREATE INDEX agent_states_on_duty_idx ON agent_states (station_path) WHERE on_duty;
      CREATE INDEX agent_states_room_idx ON agent_states (station_path, idle_since)
        WHERE on_duty AND phones = 0 AND offered = 0;

      -- Waiting contacts in routing order to the last key (priority, queued_at, id: the order every "next in line"
      -- read uses, so an index scan in that order needs no sort).
      DROP INDEX contacts_queued_order_idx;
      CREATE INDEX contacts_queued_order_idx ON contacts (priority DESC, queued_at, id) WHERE status = 'queued';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX contacts_queued_order_idx;
      CREATE INDEX contacts_queued_order_idx ON contacts (priority DESC, queued_at) WHERE status = 'queued';
      DROP TRIGGER org_units_duty_path ON org_units;
      DROP TRIGGER contacts_duty_load ON contacts;
      DROP TRIGGER agent_sessions_duty ON agent_sessions;
      DROP TRIGGER agent_states_duty_fill ON agent_states;
      DROP FUNCTION kapok_duty_path(); DROP FUNCTION kapok_duty_load(); DROP FUNCTION kapok_duty_sockets();
      DROP FUNCTION kapok_duty_fill(); DROP FUNCTION kapok_path_end(text);
      ALTER TABLE agent_states DROP COLUMN on_duty, DROP COLUMN offered, DROP COLUMN chats, DROP COLUMN phones,
        DROP COLUMN sockets, DROP COLUMN station_path;
    `);
  }
}
