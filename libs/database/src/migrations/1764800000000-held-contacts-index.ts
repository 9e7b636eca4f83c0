import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an operator holds (offered, active, wrap-up contacts of any channel) is read on every match and by the
 * operator-load trigger on every transition: index it, or each of those scans the whole contacts table.
 */
export class HeldContactsIndex1764800000000 implements MigrationInterface {
  name = 'HeldContactsIndex1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX contacts_held_by_worker_idx ON contacts(assigned_worker_id, channel)
                     WHERE status IN ('offered','active','wrap_up')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX contacts_held_by_worker_idx');
  }
}
