import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service records (issue 4): the outcome stays the current version of a contact's record (`outcomes`, updated in
 * place on amendment); every version, including the first, is kept in `outcome_versions`. Reviews, normalised
 * problems, material-aid requests with their step history, the audit log, and the caller's number encrypted at
 * rest (AES-256-GCM, `contacts.caller_number_enc`).
 * - one version row per (contact, version); the outcome's `version` is the latest;
 * - an aid request's status and its timestamps agree (CHECK), a cancellation has a reason;
 * - the audit log is append-only (a trigger refuses UPDATE and DELETE).
 */
export class Records1764600000000 implements MigrationInterface {
  name = 'Records1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- version || iv (12) || tag (16) || ciphertext; see libs/records/src/caller-number-cipher.ts
      ALTER TABLE contacts ADD COLUMN caller_number_enc bytea;

      ALTER TABLE outcomes
        ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN updated_by uuid REFERENCES users(id),
        ADD COLUMN reviewed_version integer,
        ADD COLUMN reviewed_at timestamptz,
        ADD COLUMN reviewed_by uuid REFERENCES users(id);
      CREATE INDEX outcomes_worker_idx ON outcomes(worker_id, created_at);
      CREATE INDEX outcomes_unreviewed_idx ON outcomes(created_at) WHERE reviewed_version IS DISTINCT FROM version;

      CREATE TABLE outcome_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        outcome_id uuid NOT NULL REFERENCES outcomes(id),
        version integer NOT NULL CHECK (version >= 1),
        author_id uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        reason text,
        changed text[] NOT NULL DEFAULT '{}',
        content jsonb NOT NULL,
        UNIQUE (contact_id, version)
      );

      CREATE TABLE record_reviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        outcome_version integer NOT NULL,
        reviewer_id uuid NOT NULL REFERENCES users(id),
        comment text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (contact_id, outcome_version)
      );

      CREATE TABLE record_problems (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        position smallint NOT NULL,
        category text NOT NULL,
        resolution text NOT NULL CHECK (resolution IN ('resolved','referred','unresolved')),
        UNIQUE (contact_id, position)
      );
      CREATE INDEX record_problems_resolution_idx ON record_problems(resolution, contact_id);

      CREATE TABLE aid_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        origin_station_id uuid NOT NULL REFERENCES org_units(id),
        delivering_station_id uuid NOT NULL REFERENCES org_units(id),
        items jsonb NOT NULL,
        status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested','arranged','delivered','cancelled')),
        requested_by uuid NOT NULL REFERENCES users(id),
        requested_at timestamptz NOT NULL DEFAULT now(),
        arranged_by uuid REFERENCES users(id),
        arranged_at timestamptz,
        delivered_by uuid REFERENCES users(id),
        delivered_at timestamptz,
        cancelled_by uuid REFERENCES users(id),
        cancelled_at timestamptz,
        cancel_reason text,
        overdue_flagged_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT aid_requests_steps_ck CHECK (
          (status <> 'arranged' OR arranged_at IS NOT NULL)
          AND (status <> 'delivered' OR (arranged_at IS NOT NULL AND delivered_at IS NOT NULL))
          AND (status <> 'cancelled' OR (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL)))
      );
      CREATE INDEX aid_requests_open_idx ON aid_requests(delivering_station_id, requested_at)
        WHERE status IN ('requested','arranged');
      CREATE INDEX aid_requests_contact_idx ON aid_requests(contact_id);
      CREATE INDEX aid_requests_origin_idx ON aid_requests(origin_station_id, requested_at);

      CREATE TABLE aid_request_steps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        aid_request_id uuid NOT NULL REFERENCES aid_requests(id),
        from_status text,
        to_status text NOT NULL,
        actor_id uuid NOT NULL REFERENCES users(id),
        at timestamptz NOT NULL DEFAULT now(),
        note text
      );
      CREATE INDEX aid_request_steps_request_idx ON aid_request_steps(aid_request_id, at);

      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid REFERENCES users(id),
        actor_role text,
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id uuid,
        contact_id uuid REFERENCES contacts(id),
        station_id uuid REFERENCES org_units(id),
        detail jsonb NOT NULL DEFAULT '{}',
        ip text,
        user_agent text,
        request_id text
      );
      CREATE INDEX audit_log_contact_idx ON audit_log(contact_id, at);
      CREATE INDEX audit_log_station_idx ON audit_log(station_id, at);
      CREATE INDEX audit_log_actor_idx ON audit_log(actor_id, at);
      CREATE INDEX audit_log_at_idx ON audit_log(at);

      CREATE FUNCTION kapok_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
      END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION kapok_audit_log_append_only();

      -- Records completed before this migration get their first version (what they say now).
      INSERT INTO outcome_versions (contact_id, outcome_id, version, author_id, created_at, content)
      SELECT o.contact_id, o.id, 1, o.worker_id, o.created_at,
             jsonb_build_object('serviceTypes', to_jsonb(o.service_types), 'targetGroup', o.target_group,
                                'summary', o.summary, 'psychological', o.psychological,
                                'materialAid', o.material_aid, 'problems', o.problems, 'followUp', o.follow_up)
        FROM outcomes o;
      INSERT INTO record_problems (contact_id, position, category, resolution)
      SELECT o.contact_id, p.ord - 1, p.value->>'category', p.value->>'resolution'
        FROM outcomes o, jsonb_array_elements(o.problems) WITH ORDINALITY AS p(value, ord)
       WHERE p.value->>'resolution' IN ('resolved','referred','unresolved') AND p.value->>'category' IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER audit_log_append_only ON audit_log;
      DROP FUNCTION kapok_audit_log_append_only();
      DROP TABLE audit_log; DROP TABLE aid_request_steps; DROP TABLE aid_requests; DROP TABLE record_problems;
      DROP TABLE record_reviews; DROP TABLE outcome_versions;
      DROP INDEX outcomes_unreviewed_idx; DROP INDEX outcomes_worker_idx;
      ALTER TABLE outcomes DROP COLUMN version, DROP COLUMN updated_at, DROP COLUMN updated_by,
        DROP COLUMN reviewed_version, DROP COLUMN reviewed_at, DROP COLUMN reviewed_by;
      ALTER TABLE contacts DROP COLUMN caller_number_enc;
    `);
  }
}
