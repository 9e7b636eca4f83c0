import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core schema: organisation tree, hotline lines, accounts, intake keys, operators' presence,
 * contacts, offers and outcomes. The routing invariants live here as constraints:
 * - one open offer per contact, one open offer per operator (partial unique indexes on offers);
 * - one offered/active/wrap-up contact per operator (partial unique index on contacts);
 * - one contact per gateway retry (unique (intake_key_id, external_id));
 * - a contact's status agrees with its assignment (CHECK).
 */
export class CoreSchema1764400000000 implements MigrationInterface {
  name = 'CoreSchema1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE org_units (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('city','region','district','station','point')),
        parent_id uuid REFERENCES org_units(id),
        path text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX org_units_parent_idx ON org_units(parent_id);
      CREATE INDEX org_units_path_idx ON org_units(path text_pattern_ops);

      CREATE TABLE hotlines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number text NOT NULL UNIQUE,
        name text NOT NULL,
        station_id uuid NOT NULL REFERENCES org_units(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX hotlines_station_idx ON hotlines(station_id);

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('operator','coordinator','supervisor','manager','admin')),
        org_unit_id uuid NOT NULL REFERENCES org_units(id),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_username_uq ON users (lower(username));
      CREATE INDEX users_org_unit_idx ON users(org_unit_id);

      CREATE TABLE supervisor_stations (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        station_id uuid NOT NULL REFERENCES org_units(id),
        PRIMARY KEY (user_id, station_id)
      );

      CREATE TABLE intake_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE agent_states (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        station_id uuid NOT NULL REFERENCES org_units(id),
        presence text NOT NULL DEFAULT 'offline' CHECK (presence IN ('available','away','offline')),
        presence_changed_at timestamptz NOT NULL DEFAULT now(),
        idle_since timestamptz NOT NULL DEFAULT now(),
        disconnected_at timestamptz
      );
      CREATE INDEX agent_states_station_idx ON agent_states(station_id, presence);

      CREATE TABLE agent_sessions (
        socket_id text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        gateway_id text NOT NULL,
        connected_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX agent_sessions_user_idx ON agent_sessions(user_id);
      CREATE INDEX agent_sessions_gateway_idx ON agent_sessions(gateway_id);

      CREATE TABLE gateway_instances (
        id text PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        hotline_id uuid NOT NULL REFERENCES hotlines(id),
        station_id uuid NOT NULL REFERENCES org_units(id),
        intake_key_id uuid NOT NULL REFERENCES intake_keys(id),
        external_id text,
        channel text NOT NULL CHECK (channel IN ('phone','chat','wechat')),
        caller_number_masked text,
        caller_number_hash text,
        language text,
        topics text[] NOT NULL DEFAULT '{}',
        risk_level text NOT NULL DEFAULT 'normal' CHECK (risk_level IN ('normal','high','critical')),
        priority smallint NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued','offered','active','wrap_up','completed','abandoned')),
        assigned_worker_id uuid REFERENCES users(id),
        offer_count integer NOT NULL DEFAULT 0,
        queued_at timestamptz NOT NULL DEFAULT now(),
        offered_at timestamptz,
        answered_at timestamptz,
        ended_at timestamptz,
        completed_at timestamptz,
        abandoned_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT contacts_assignment_ck CHECK (
          (status IN ('offered','active','wrap_up') AND assigned_worker_id IS NOT NULL)
          OR (status = 'queued' AND assigned_worker_id IS NULL)
          OR status IN ('completed','abandoned'))
      );
      CREATE UNIQUE INDEX contacts_external_id_uq ON contacts(intake_key_id, external_id) WHERE external_id IS NOT NULL;
      CREATE UNIQUE INDEX contacts_one_per_worker_uq ON contacts(assigned_worker_id)
        WHERE status IN ('offered','active','wrap_up');
      CREATE INDEX contacts_waiting_idx ON contacts(station_id, priority DESC, queued_at) WHERE status = 'queued';
      CREATE INDEX contacts_station_queued_at_idx ON contacts(station_id, queued_at);

      CREATE TABLE offers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        worker_id uuid NOT NULL REFERENCES users(id),
        status text NOT NULL DEFAULT 'open'
          CHECK (status IN ('open','accepted','declined','expired','revoked')),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        closed_at timestamptz,
        reason text
      );
      CREATE UNIQUE INDEX offers_open_per_contact_uq ON offers(contact_id) WHERE status = 'open';
      CREATE UNIQUE INDEX offers_open_per_worker_uq ON offers(worker_id) WHERE status = 'open';
      CREATE INDEX offers_contact_idx ON offers(contact_id, worker_id);
      CREATE INDEX offers_open_expiry_idx ON offers(expires_at) WHERE status = 'open';

      CREATE TABLE outcomes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL UNIQUE REFERENCES contacts(id),
        worker_id uuid NOT NULL REFERENCES users(id),
        service_types text[] NOT NULL,
        target_group text NOT NULL,
        summary text NOT NULL,
        psychological jsonb,
        material_aid jsonb,
        problems jsonb NOT NULL DEFAULT '[]',
        follow_up jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE outcomes; DROP TABLE offers; DROP TABLE contacts; DROP TABLE gateway_instances;
      DROP TABLE agent_sessions; DROP TABLE agent_states; DROP TABLE intake_keys; DROP TABLE supervisor_stations;
      DROP TABLE users; DROP TABLE hotlines; DROP TABLE org_units;
    `);
  }
}
