import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Risk alerts as work items kept on the server (issue 14; docs/alerts.md): one row per contact and what raised it
 * (a critical contact at intake, an imminent risk assessment), so raising is idempotent and an alert outlives the
 * screens that showed it. Open until someone responsible acknowledges it (who, when, an optional note) or, for a
 * critical contact, until the contact is answered (read from `contacts.answered_at`, not copied here).
 */
export class RiskAlerts1765300000000 implements MigrationInterface {
  name = 'RiskAlerts1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE risk_alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        station_id uuid NOT NULL REFERENCES org_units(id),
        source text NOT NULL CHECK (source IN ('critical_contact','imminent_assessment')),
        raised_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        acknowledged_by uuid REFERENCES users(id),
        acknowledge_note text CHECK (length(acknowledge_note) <= 500),
        UNIQUE (contact_id, source),
        CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
      );
      CREATE INDEX risk_alerts_unacknowledged_idx ON risk_alerts(raised_at) WHERE acknowledged_at IS NULL;
      CREATE INDEX risk_alerts_station_idx ON risk_alerts(station_id, raised_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE risk_alerts`);
  }
}
