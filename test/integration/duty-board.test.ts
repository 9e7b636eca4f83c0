import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ReceiveContact } from '../../libs/contacts/src';
import { Db } from '../../libs/database/src';
import { OrgRepository, pathInRangeSql } from '../../libs/org/src';
import { AgentStateRepository } from '../../libs/presence/src';
import { startDomain } from '../support/context';
import { dutyBoardDrift } from '../support/duty-board';
import { TestStation, createStation } from '../support/fixtures';

/**
 * The duty board (agent_states' copies of sockets, load and station path that matching reads through its indexes)
 * is kept by triggers whoever writes the tables it copies: checked here against recomputation after each kind of
 * change, including writes that bypass the repositories.
 */
describe('duty board kept by the database (real Postgres)', () => {
  let ctx: INestApplicationContext;
  let close: () => Promise<void>;
  let db: Db;
  let agents: AgentStateRepository;
  let st: TestStation;

  beforeAll(async () => {
    ({ ctx, close } = await startDomain({ OFFER_TIMEOUT_SECONDS: '20' }));
    db = ctx.get(Db);
    agents = ctx.get(AgentStateRepository);
  });
  afterAll(() => close());
  beforeEach(async () => {
    st = await createStation(ctx, 3);
  });

  const board = (userId: string) =>
    db.one<{ station_path: string; sockets: number; phones: number; chats: number; offered: number; on_duty: boolean }>(
      'SELECT station_path, sockets, phones, chats, offered, on_duty FROM agent_states WHERE user_id = $1',
      [userId],
    );
  const contact = async (channel: 'phone' | 'chat') =>
    (
      await ctx
        .get(ReceiveContact)
        .execute(st.intakeKeyId, { hotlineNumber: st.hotlineNumber, channel, callerNumber: `138${Date.now() % 1e8}` })
    ).contact.id;
  const setContact = (id: string, status: string, worker: string | null) =>
    db.run('UPDATE contacts SET status = $2, assigned_worker_id = $3 WHERE id = $1', [id, status, worker]);

  it('counts sockets, and is on duty only while available with one connected', async () => {
    const op = st.operators[0].id;
    await agents.ensure(op, st.stationId);
    const [s1, s2] = [`sock-${randomUUID()}`, `sock-${randomUUID()}`];
    await agents.addSession(s1, op, 'gw-test');
    await agents.addSession(s1, op, 'gw-test'); // the same socket again: counted once
    await agents.addSession(s2, op, 'gw-test');
    expect(await board(op)).toMatchObject({ sockets: 2, on_duty: false });
    await db.tx((tx) => agents.setPresence(op, 'available', tx));
    expect(await board(op)).toMatchObject({ sockets: 2, on_duty: true });
    await agents.removeSession(s1);
    expect(await board(op)).toMatchObject({ sockets: 1, on_duty: true });
    await agents.removeSession(s2);
    expect(await board(op)).toMatchObject({ sockets: 0, on_duty: false });
    await agents.addSession(`sock-${randomUUID()}`, op, 'gw-test');
    expect(await board(op)).toMatchObject({ sockets: 1, on_duty: true });
    await db.run('DELETE FROM agent_sessions WHERE gateway_id = $1 AND user_id = $2', ['gw-test', op]);
    expect(await board(op)).toMatchObject({ sockets: 0, on_duty: false });
    expect(await dutyBoardDrift(db)).toEqual([]);
  });

  it('counts the contacts an operator holds through every transition, and a row made later reads them', async () => {
    const [a, b] = [st.operators[1].id, st.operators[2].id];
    await agents.ensure(a, st.stationId);
    const phone = await contact('phone');
    const [chat1, chat2] = [await contact('chat'), await contact('chat')];
    await setContact(phone, 'offered', a);
    expect(await board(a)).toMatchObject({ phones: 1, chats: 0, offered: 1 });
    await setContact(phone, 'active', a);
    expect(await board(a)).toMatchObject({ phones: 1, chats: 0, offered: 0 });
    await setContact(phone, 'wrap_up', a);
    expect(await board(a)).toMatchObject({ phones: 1, offered: 0 });
    await setContact(phone, 'completed', a);
    expect(await board(a)).toMatchObject({ phones: 0, chats: 0, offered: 0 });

    await setContact(chat1, 'offered', a);
    await setContact(chat1, 'active', a);
    await setContact(chat2, 'offered', a);
    expect(await board(a)).toMatchObject({ phones: 0, chats: 2, offered: 1 });
    // handed to another operator (b has no row yet), then back to the queue
    await setContact(chat2, 'offered', b);
    expect(await board(a)).toMatchObject({ chats: 1, offered: 0 });
    await agents.ensure(b, st.stationId); // made now: reads what b already holds
    expect(await board(b)).toMatchObject({ chats: 1, offered: 1, phones: 0 });
    await setContact(chat2, 'queued', null);
    expect(await board(b)).toMatchObject({ chats: 0, offered: 0 });
    // one statement moving many rows
    await db.run(`UPDATE contacts SET status = 'completed' WHERE id = ANY($1::uuid[])`, [[chat1, chat2]]);
    expect(await board(a)).toMatchObject({ chats: 0, offered: 0 });
    expect(await dutyBoardDrift(db)).toEqual([]);
  });

  it('the range of a subtree in the "C" collation holds exactly the units below it, for every unit of the tree', async () => {
    await createStation(ctx, 0);
    const differing = await db.rows(
      `SELECT r.id FROM org_units r
        WHERE (SELECT array_agg(u.id ORDER BY u.id) FROM org_units u WHERE u.path LIKE r.path || '%')
              IS DISTINCT FROM
              (SELECT array_agg(u.id ORDER BY u.id) FROM org_units u
                WHERE ${pathInRangeSql('u.path', 'r.path')})`,
    );
    // not vacuous: several trees of this file's stations, and paths that share prefixes of their ids' characters
    expect((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM org_units'))!.n).toBeGreaterThan(8);
    expect(differing).toEqual([]);
  });

  it('follows the station when the operator moves to another, and the path when a unit moves in the tree', async () => {
    const op = st.operators[0].id;
    const org = ctx.get(OrgRepository);
    await agents.ensure(op, st.stationId);
    const other = await createStation(ctx, 0);
    await agents.ensure(op, other.stationId);
    expect((await board(op))!.station_path).toBe(
      (await db.one<{ path: string }>('SELECT path FROM org_units WHERE id = $1', [other.stationId]))!.path,
    );
    // the other station's district moves below this test's city: every path below it changes
    await db.tx((tx) => org.moveUnit(other.districtId, st.cityId, tx));
    const moved = (await board(op))!.station_path;
    expect(moved.startsWith(`/${st.cityId}/`)).toBe(true);
    expect(moved.endsWith(`/${other.districtId}/${other.stationId}/`)).toBe(true);
    expect(await dutyBoardDrift(db)).toEqual([]);
  });
});
