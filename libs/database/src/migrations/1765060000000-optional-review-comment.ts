import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A supervisor may mark a record reviewed without writing a comment (issue 14): `record_reviews.comment` is null
 * then. A comment given is still never blank (the API refuses it).
 */
export class OptionalReviewComment1765060000000 implements MigrationInterface {
  name = 'OptionalReviewComment1765060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE record_reviews ALTER COLUMN comment DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE record_reviews SET comment = '' WHERE comment IS NULL`);
    await q.query(`ALTER TABLE record_reviews ALTER COLUMN comment SET NOT NULL`);
  }
}
