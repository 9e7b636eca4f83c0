import { ReceiveContact, ContactRepository } from '../../libs/contacts/src';
import { AgentStateRepository } from '../../libs/presence/src';
import { Db } from '../../libs/database/src';
import { Reconcile } from '../../libs/routing/src';
import { startDomain } from '../support/context';
import { createStation } from '../support/fixtures';

/** The contact is written before it is queued: with Redis unreachable, intake still answers and nothing is lost. */
describe('intake while Redis is unreachable (real Postgres)', () => {
  it('acknowledges the contact, and the reconcile sweep routes it once Redis is back', async () => {
    const realRedis = process.env.REDIS_URL!;
    const down = await startDomain({ REDIS_URL: 'redis://127.0.0.1:1' }); // nothing listens on port 1
    const st = await createStation(down.ctx, 1);
    const t0 = Date.now();
    const { contact, created } = await down.ctx
      .get(ReceiveContact)
      .execute(st.intakeKeyId, { hotlineNumber: st.hotlineNumber, channel: 'phone', externalId: 'while-down' });
    expect(created).toBe(true);
    expect(contact.status).toBe('queued');
    // the trigger's wait is capped (1 s per enqueue) instead of hanging until Redis is back (ioredis would queue the
    // command for ever); the bound leaves room for a slow machine and still tells a cap from a hang
    expect(Date.now() - t0).toBeLessThan(15_000);
    await down.ctx.close();

    const up = await startDomain({ REDIS_URL: realRedis });
    try {
      const agents = up.ctx.get(AgentStateRepository);
      const op = st.operators[0].id;
      await agents.heartbeat('gw-up');
      await agents.ensure(op, st.stationId);
      await agents.addSession('sock-up', op, 'gw-up');
      await up.ctx.get(Db).tx((tx) => agents.setPresence(op, 'available', tx));
      await up.ctx.get(Reconcile).execute();
      expect((await up.ctx.get(ContactRepository).find(contact.id))!).toMatchObject({
        status: 'offered',
        assigned_worker_id: op,
      });
    } finally {
      await up.close();
    }
  });
});
