import { ConflictException, INestApplicationContext } from '@nestjs/common';
import { AuthUser, Role, UserRepository } from '../../libs/auth/src';
import { ContactRepository, ReceiveContact, RecordOutcome } from '../../libs/contacts/src';
import { Db } from '../../libs/database/src';
import {
  AmendRecord,
  CallerNumberStore,
  ChangeAidRequest,
  CompleteFollowUp,
  ReviewRecord,
} from '../../libs/records/src';
import { startDomain } from '../support/context';
import { TestStation, createStation } from '../support/fixtures';

/**
 * Every change of a record is a conditional update acted on only when a row changed: racing requests (two
 * supervisors reviewing, two people arranging the same delivery, two amendments of the same version) leave exactly
 * one winner and one step in the history; the others get 409. Use-cases called directly, real Postgres.
 */
describe('service records under concurrency (real database)', () => {
  let ctx: INestApplicationContext;
  let close: () => Promise<void>;
  let db: Db;
  let st: TestStation;
  let op: AuthUser;
  let sups: AuthUser[];

  const user = async (role: Role): Promise<AuthUser> => {
    const u = await st.user(role);
    return (await ctx.get(UserRepository).findActive(u.id))!;
  };

  beforeAll(async () => {
    ({ ctx, close } = await startDomain());
    db = ctx.get(Db);
    st = await createStation(ctx, 1);
    op = (await ctx.get(UserRepository).findActive(st.operators[0].id))!;
    sups = [];
    for (let i = 0; i < 6; i++) {
      const s = await user('supervisor');
      await ctx.get(UserRepository).addSupervisedStations(s.id, [st.stationId]);
      sups.push(s);
    }
  });
  afterAll(() => close());

  /** A contact taken in and answered by `op`, then recorded with `outcome`. */
  const recorded = async (outcome: Record<string, unknown>, callerNumber = '13700001111') => {
    const { contact } = await ctx.get(ReceiveContact).execute(st.intakeKeyId, {
      hotlineNumber: st.hotlineNumber,
      channel: 'phone',
      callerNumber,
    });
    const contacts = ctx.get(ContactRepository);
    await db.tx(async (tx) => {
      await contacts.transition(tx, contact.id, 'offer', { worker: op.id });
      await contacts.transition(tx, contact.id, 'accept');
    });
    await ctx.get(RecordOutcome).execute(contact.id, op, outcome as any);
    return contact.id;
  };
  const BASE = {
    serviceTypes: ['material_aid'],
    targetGroup: 'elderly',
    summary: '送米',
    materialAid: { items: [{ category: 'food', description: '大米', quantity: 1 }] },
    problems: [{ category: 'basic_living', resolution: 'resolved' }],
  };
  const settle = async (ps: Promise<unknown>[]) => {
    const results = await Promise.allSettled(ps);
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const lost = results.filter((r) => r.status === 'rejected');
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictException);
    return { won, lost: lost.length };
  };

  it('the intake stores the number encrypted, and only there', async () => {
    const id = await recorded(BASE, '13755556666');
    const row = await db.one<any>('SELECT caller_number_masked, caller_number_enc FROM contacts WHERE id = $1', [id]);
    expect(row.caller_number_masked).toBe('137****6666');
    expect(row.caller_number_enc.toString('latin1')).not.toContain('13755556666');
    expect(await ctx.get(CallerNumberStore).read(id)).toBe('13755556666');
  });

  it('ten racing arrangements of one aid request: one wins, one step recorded', async () => {
    const id = await recorded(BASE);
    const aid = (await db.one<{ id: string }>('SELECT id FROM aid_requests WHERE contact_id = $1', [id]))!;
    const change = ctx.get(ChangeAidRequest);
    const { won, lost } = await settle(
      sups.concat(sups.slice(0, 4)).map((s) => change.execute(aid.id, 'arrange', s, 'x')),
    );
    expect({ won, lost }).toEqual({ won: 1, lost: 9 });
    const steps = await db.rows<any>('SELECT to_status FROM aid_request_steps WHERE aid_request_id = $1 ORDER BY at', [
      aid.id,
    ]);
    expect(steps.map((s) => s.to_status)).toEqual(['requested', 'arranged']);
    // deliver and cancel racing: exactly one of them
    const race = await settle([
      change.execute(aid.id, 'deliver', sups[0]),
      change.execute(aid.id, 'cancel', sups[1], '不需要'),
    ]);
    expect(race).toEqual({ won: 1, lost: 1 });
    expect(await db.one<any>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1`, [aid.id])).toEqual({
      n: 2,
    });
  });

  it('six supervisors reviewing the same version: one review', async () => {
    const id = await recorded(BASE);
    const review = ctx.get(ReviewRecord);
    const { won } = await settle(sups.map((s) => review.execute(id, s, { comment: `看过 ${s.username}` })));
    expect(won).toBe(1);
    expect(await db.one<any>('SELECT count(*)::int AS n FROM record_reviews WHERE contact_id = $1', [id])).toEqual({
      n: 1,
    });
  });

  it('amendments racing on the same version: one new version, the others 409', async () => {
    const id = await recorded(BASE);
    const amend = ctx.get(AmendRecord);
    const { won } = await settle(
      sups.map((s, i) => amend.execute(id, s, { ...BASE, summary: `更正 ${i}`, expectedVersion: 1 } as any)),
    );
    expect(won).toBe(1);
    const versions = await db.rows<any>('SELECT version FROM outcome_versions WHERE contact_id = $1 ORDER BY version', [
      id,
    ]);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    // without expectedVersion they serialise: each applies to the version it finds
    await Promise.all(sups.map((s, i) => amend.execute(id, s, { ...BASE, summary: `再更正 ${i}` } as any)));
    const after = await db.one<any>('SELECT version, summary FROM outcomes WHERE contact_id = $1', [id]);
    expect(after.version).toBe(2 + sups.length);
    expect(await db.one<any>('SELECT count(*)::int AS n FROM outcome_versions WHERE contact_id = $1', [id])).toEqual({
      n: 2 + sups.length,
    });
  });

  it('a follow-up completed twice at once: done once', async () => {
    const id = await recorded(
      { ...BASE, followUp: { dueAt: new Date(Date.now() + 86400_000).toISOString(), note: '回访' } },
      '13900002222',
    );
    const again = await recorded(BASE, '13900002222');
    const fu = (await db.one<{ id: string }>('SELECT id FROM follow_ups WHERE source_contact_id = $1', [id]))!;
    const complete = ctx.get(CompleteFollowUp);
    const { won } = await settle(sups.map((s) => complete.execute(fu.id, s, { contactId: again })));
    expect(won).toBe(1);
    expect(await db.one<any>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1`, [fu.id])).toEqual({
      n: 1,
    });
  });
});
