import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing rules: operators' languages and skills, per-station settings, shifts (rosters), no-answer counters,
 * continuity (preferred operator), outbound follow-ups, chat capacity.
 * Capacity and phone/chat exclusivity are held by a trigger on contacts (a unique index cannot count).
 */
export class RoutingRules1764500000000 implements MigrationInterface {
  name = 'RoutingRules1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN languages text[] NOT NULL DEFAULT '{}',
                        ADD COLUMN skills text[] NOT NULL DEFAULT '{}';

      CREATE TABLE station_settings (
        station_id uuid PRIMARY KEY REFERENCES org_units(id) ON DELETE CASCADE,
        offer_timeout_seconds numeric CHECK (offer_timeout_seconds > 0),
        overflow_district_seconds numeric CHECK (overflow_district_seconds >= 0),
        overflow_region_seconds numeric CHECK (overflow_region_seconds >= 0),
        overflow_city_seconds numeric CHECK (overflow_city_seconds >= 0),
        skill_relax_seconds numeric CHECK (skill_relax_seconds >= 0),
        continuity_window_seconds numeric CHECK (continuity_window_seconds >= 0),
        chat_capacity integer CHECK (chat_capacity BETWEEN 1 AND 20),
        missed_offers_to_away integer CHECK (missed_offers_to_away >= 1),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE shifts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        station_id uuid NOT NULL REFERENCES org_units(id),
        worker_id uuid NOT NULL REFERENCES users(id),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at)
      );
      CREATE INDEX shifts_station_time_idx ON shifts(station_id, starts_at, ends_at);
      CREATE INDEX shifts_worker_time_idx ON shifts(worker_id, starts_at);

      CREATE TABLE coverage_gaps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_id uuid NOT NULL REFERENCES org_units(id),
        kind text NOT NULL CHECK (kind IN ('nobody_signed_in','nobody_rostered')),
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      );
      CREATE UNIQUE INDEX coverage_gaps_open_uq ON coverage_gaps(unit_id, kind) WHERE ended_at IS NULL;

      ALTER TABLE agent_states ADD COLUMN missed_in_row integer NOT NULL DEFAULT 0,
                               ADD COLUMN missed_total integer NOT NULL DEFAULT 0,
                               ADD COLUMN declined_total integer NOT NULL DEFAULT 0;

      CREATE TABLE follow_ups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        source_contact_id uuid NOT NULL REFERENCES contacts(id),
        worker_id uuid NOT NULL REFERENCES users(id),
        station_id uuid NOT NULL REFERENCES org_units(id),
        due_at timestamptz NOT NULL,
        note text NOT NULL DEFAULT '',
        status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','contact_created','done','cancelled')),
        contact_id uuid REFERENCES contacts(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      );
      CREATE UNIQUE INDEX follow_ups_source_uq ON follow_ups(source_contact_id);
      CREATE INDEX follow_ups_due_idx ON follow_ups(due_at) WHERE status = 'scheduled';
      CREATE INDEX follow_ups_worker_idx ON follow_ups(worker_id, due_at);

      ALTER TABLE contacts
        ADD COLUMN direction text NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound','outbound')),
        ADD COLUMN follow_up_id uuid REFERENCES follow_ups(id),
        ADD COLUMN preferred_worker_id uuid REFERENCES users(id),
        ADD COLUMN preferred_until timestamptz;
      CREATE UNIQUE INDEX contacts_follow_up_uq ON contacts(follow_up_id) WHERE follow_up_id IS NOT NULL;
      CREATE INDEX contacts_caller_hash_idx ON contacts(caller_number_hash, completed_at) WHERE caller_number_hash IS NOT NULL;
      CREATE INDEX contacts_queued_order_idx ON contacts(priority DESC, queued_at) WHERE status = 'queued';

      -- One phone contact per operator (chats are counted by the trigger below).
      DROP INDEX contacts_one_per_worker_uq;
      CREATE UNIQUE INDEX contacts_one_phone_per_worker_uq ON contacts(assigned_worker_id)
        WHERE status IN ('offered','active','wrap_up') AND channel = 'phone';

      -- The path of the unit 'up' levels above (clamped at the root): overflow pools.
      CREATE FUNCTION kapok_ancestor_path(path text, up integer) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT '/' || array_to_string(s[1:greatest(1, cardinality(s) - up)], '/') || '/'
            FROM (SELECT string_to_array(trim(both '/' from path), '/') AS s) x
        $$;

      -- An operator holds either one phone contact, or up to their station's chat capacity of chats (and wechat).
      CREATE FUNCTION kapok_check_operator_load() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        phones integer;
        chats integer;
        capacity integer;
      BEGIN
        IF NEW.assigned_worker_id IS NULL OR NEW.status NOT IN ('offered','active','wrap_up') THEN
          RETURN NEW;
        END IF;
        PERFORM 1 FROM agent_states WHERE user_id = NEW.assigned_worker_id FOR UPDATE;
        SELECT count(*) FILTER (WHERE channel = 'phone'), count(*) FILTER (WHERE channel <> 'phone')
          INTO phones, chats
          FROM contacts
         WHERE assigned_worker_id = NEW.assigned_worker_id AND id <> NEW.id
           AND status IN ('offered','active','wrap_up');
        SELECT COALESCE(ss.chat_capacity, current_setting('kapok.chat_capacity', true)::integer, 3)
          INTO capacity
          FROM agent_states a LEFT JOIN station_settings ss ON ss.station_id = a.station_id
         WHERE a.user_id = NEW.assigned_worker_id;
        capacity := COALESCE(capacity, 3);
        IF NEW.channel = 'phone' AND (phones + chats) > 0 THEN
          RAISE EXCEPTION 'operator % already holds a contact; a phone contact needs them free', NEW.assigned_worker_id
            USING ERRCODE = '23P01', CONSTRAINT = 'contacts_operator_load';
        END IF;
        IF NEW.channel <> 'phone' AND (phones > 0 OR chats >= capacity) THEN
          RAISE EXCEPTION 'operator % is at capacity', NEW.assigned_worker_id
            USING ERRCODE = '23P01', CONSTRAINT = 'contacts_operator_load';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER contacts_operator_load BEFORE INSERT OR UPDATE OF status, assigned_worker_id ON contacts
        FOR EACH ROW EXECUTE FUNCTION kapok_check_operator_load();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER contacts_operator_load ON contacts;
      DROP FUNCTION kapok_check_operator_load();
      DROP FUNCTION kapok_ancestor_path(text, integer);
      DROP INDEX contacts_one_phone_per_worker_uq;
      CREATE UNIQUE INDEX contacts_one_per_worker_uq ON contacts(assigned_worker_id)
        WHERE status IN ('offered','active','wrap_up');
      ALTER TABLE contacts DROP COLUMN direction, DROP COLUMN follow_up_id, DROP COLUMN preferred_worker_id,
        DROP COLUMN preferred_until;
      DROP TABLE follow_ups;
      ALTER TABLE agent_states DROP COLUMN missed_in_row, DROP COLUMN missed_total, DROP COLUMN declined_total;
      DROP TABLE coverage_gaps; DROP TABLE shifts; DROP TABLE station_settings;
      ALTER TABLE users DROP COLUMN languages, DROP COLUMN skills;
    `);
  }
}
