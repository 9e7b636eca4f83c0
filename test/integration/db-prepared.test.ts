import { INestApplicationContext } from '@nestjs/common';
import { Db } from '../../libs/database/src';
import { startDomain } from '../support/context';

/** Db.prepared: a named statement, planned once per connection, inside or outside a transaction. */
describe('Db.prepared (real Postgres)', () => {
  let ctx: INestApplicationContext;
  let close: () => Promise<void>;
  let db: Db;

  beforeAll(async () => {
    ({ ctx, close } = await startDomain({}));
    db = ctx.get(Db);
  });
  afterAll(() => close());

  const SQL = `SELECT $1::int * 2 AS doubled, (SELECT count(*)::int FROM pg_prepared_statements WHERE name = 'kapok_test_doubled') AS kept`;

  it('answers for each set of values, and the connection keeps the statement by its name', async () => {
    await db.tx(async (tx) => {
      const first = await db.prepared<{ doubled: number; kept: number }>('kapok_test_doubled', SQL, [2], tx);
      const again = await db.prepared<{ doubled: number; kept: number }>('kapok_test_doubled', SQL, [21], tx);
      expect(first).toEqual([{ doubled: 4, kept: 1 }]);
      expect(again).toEqual([{ doubled: 42, kept: 1 }]);
    });
    // on any pooled connection (prepared there now or before), outside a transaction
    for (const n of [1, 2, 3, 4, 5, 6, 7]) {
      expect(await db.prepared<{ doubled: number }>('kapok_test_doubled', SQL, [n])).toEqual([
        { doubled: 2 * n, kept: 1 },
      ]);
    }
  });

  it('refuses bad values as a plain statement would', async () => {
    await expect(db.prepared('kapok_test_doubled', SQL, ['not a number'])).rejects.toThrow(/invalid input syntax/);
  });
});
