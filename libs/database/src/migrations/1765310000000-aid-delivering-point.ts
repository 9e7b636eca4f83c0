import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Material aid delivered by a 村(居) point (issues 11 and 14, docs/records.md): `aid_requests.delivering_point_id`,
 * the point (an org unit of level `point`, below the delivering station) that delivers the items, or NULL.
 * Written only by libs/records' AidRequestRepository; the delivering station stays the one whose people act on it.
 */
export class AidDeliveringPoint1765310000000 implements MigrationInterface {
  name = 'AidDeliveringPoint1765310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE aid_requests ADD COLUMN delivering_point_id uuid REFERENCES org_units(id);
      CREATE INDEX aid_requests_delivering_point_idx ON aid_requests(delivering_point_id)
        WHERE delivering_point_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX aid_requests_delivering_point_idx;
      ALTER TABLE aid_requests DROP COLUMN delivering_point_id;
    `);
  }
}
