import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 常用语 per station (issue 12; docs/conversations.md "Quick replies"): the phrases a station's operators pick from in
 * a text conversation, kept on the server for every workstation of the station. No row: the default phrases.
 */
export class StationQuickReplies1765320000000 implements MigrationInterface {
  name = 'StationQuickReplies1765320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE station_quick_replies (
        station_id uuid PRIMARY KEY REFERENCES org_units(id),
        phrases text[] NOT NULL CHECK (cardinality(phrases) <= 50),
        updated_at timestamptz NOT NULL,
        updated_by uuid NOT NULL REFERENCES users(id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE station_quick_replies`);
  }
}
