import { randomInt } from 'node:crypto';
import { UserRepository } from '../../libs/auth/src';
import { Db, MIGRATIONS } from '../../libs/database/src';
import { AgentClient, Stack, login, sleep, startStack } from '../support/stack';
import {
  OUTCOME,
  Person,
  RecordsWorld,
  answeredContact,
  api,
  count,
  messageOf,
  recordedContact,
  recordsWorld,
} from './records.support';

/**
 * Privacy and integrity (issue 8), HTTP and sockets against the real stack: the full number only for the operator
 * who accepted a contact (never one it is only offered to), and only with a reason, which is audited; the audit
 * log cannot be emptied; nobody reviews their own work; the mask hides what it must, also in stored rows.
 */
describe('security and privacy', () => {
  let stack: Stack;
  let db: Db;
  let w: RecordsWorld;
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    // an offer stays open while the test looks around (no timeout racing a slow machine)
    stack = await startStack({ OFFER_TIMEOUT_SECONDS: '600' });
    db = stack.app.get(Db);
    w = await recordsWorld(stack);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  const get = (p: { token: string }, path: string) => api(stack.url, 'GET', path, { token: p.token });
  const post = (p: { token: string }, path: string, body: unknown) =>
    api(stack.url, 'POST', path, { token: p.token, body });
  const onDuty = async (p: Person) => {
    const c = await AgentClient.connect(stack.url, p.token);
    clients.push(c);
    await c.available();
    return c;
  };
  /** A Guangzhou landline with its area code nobody else uses in this run: 020-8xxxxxxx (11 digits, not a mobile). */
  const uniqueLandline = () => `020-8${String(randomInt(1_000_000, 9_999_999))}`;
  const intake = async (station: 'a1s1' | 'a2s1', callerNumber: string) => {
    const res = await api(stack.url, 'POST', '/contacts', {
      key: w.tree.intakeKey,
      body: { hotlineNumber: w.tree.stations[station].hotline, channel: 'phone', callerNumber },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; callerNumberMasked: string };
  };
  const numberReads = (contactId: string) =>
    count(stack, `audit_log WHERE contact_id = $1 AND action = 'caller_number.read'`, [contactId]);

  describe('the full number, for the operator who accepted the contact only', () => {
    /**
     * What an operator to whom the contact is only offered can get: every path that answers about the contact,
     * each at most with the masked number, and the full-number read refused. Returns the texts seen.
     */
    const whileOffered = async (p: Person, contactId: string, digits: string) => {
      const hidden = digits.slice(0, -4); // everything the mask must hide
      const refused = await get(p, `/contacts/${contactId}/caller-number?reason=${encodeURIComponent('回拨')}`);
      expect({ status: refused.status, text: refused.text }).toEqual({
        status: 403,
        text: expect.stringMatching(/offered/),
      });
      expect(refused.text).not.toContain(digits);
      const paths = [
        `/contacts/${contactId}`,
        `/records/${contactId}`,
        `/contacts/${contactId}/history`,
        '/records?pageSize=100',
        '/follow-ups?status=all&pageSize=100',
        '/aid-requests?status=all&pageSize=100',
      ];
      for (const path of paths) {
        const res = await get(p, path);
        expect({ path, status: res.status < 500 }).toEqual({ path, status: true });
        for (const needle of [digits, hidden])
          expect({ path, leaks: res.text.includes(needle) }).toEqual({ path, leaks: false });
      }
      expect(await numberReads(contactId)).toBe(0);
    };

    it('an overflow operator of another district, only offered the contact: no full number anywhere, then after accepting: yes', async () => {
      // nobody on duty in station a1s1 nor district a1: a contact of a1s1 goes straight to region a, to district a2
      const overflow = await onDuty(w.otherOp);
      const number = uniqueLandline();
      const digits = number.replace(/\D/g, '');
      const contact = await intake('a1s1', number);
      expect(contact.callerNumberMasked).toBe(`*******${digits.slice(-4)}`);

      const offer = await overflow.next('contact:offer', (d) => d.contact.id === contact.id, 20_000);
      expect(offer.contact.callerNumberMasked).toBe(`*******${digits.slice(-4)}`);
      // the socket's payloads: the offer, and the state a (re)connecting console receives
      const again = new AgentClient(stack.url, w.otherOp.token);
      clients.push(again);
      const state = await again.next('agent:state');
      expect(state.offer?.contact.id).toBe(contact.id);
      for (const payload of [offer, state]) {
        expect(JSON.stringify(payload)).not.toContain(digits);
        expect(JSON.stringify(payload)).not.toContain(digits.slice(0, -4));
      }
      expect(await db.one<any>('SELECT status, assigned_worker_id FROM contacts WHERE id = $1', [contact.id])).toEqual({
        status: 'offered',
        assigned_worker_id: w.otherOp.id,
      });
      await whileOffered(w.otherOp, contact.id, digits);

      const ack = await overflow.emit('offer:accept', { offerId: offer.offerId });
      expect(ack.ok).toBe(true);
      expect(JSON.stringify(ack)).not.toContain(digits);
      const read = await get(
        w.otherOp,
        `/contacts/${contact.id}/caller-number?reason=${encodeURIComponent('通话中断，回拨')}`,
      );
      expect(read.status).toBe(200);
      expect(read.body).toEqual({
        contactId: contact.id,
        callerNumber: digits,
        callerNumberMasked: `*******${digits.slice(-4)}`,
      });
      const rows = await db.rows<any>(
        `SELECT actor_id, detail FROM audit_log WHERE contact_id = $1 AND action = 'caller_number.read'`,
        [contact.id],
      );
      expect(rows).toEqual([{ actor_id: w.otherOp.id, detail: { reason: '通话中断，回拨' } }]);
    });

    it('an operator of the station, only offered the contact: refused until they accept', async () => {
      const op = await w.newOperator('a1s1');
      const client = await onDuty(op);
      const number = `139${String(randomInt(10_000_000, 99_999_999))}`;
      const contact = await intake('a1s1', number);
      const offer = await client.next('contact:offer', (d) => d.contact.id === contact.id, 20_000);
      expect(offer.contact.callerNumberMasked).toBe(`${number.slice(0, 3)}****${number.slice(-4)}`);
      await whileOffered(op, contact.id, number);
      // the coordinator of the district, who calls back, may (with a reason)
      expect(
        (await get(w.coord, `/contacts/${contact.id}/caller-number?reason=${encodeURIComponent('核实')}`)).body
          .callerNumber,
      ).toBe(number);

      expect((await client.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
      const read = await get(op, `/contacts/${contact.id}/caller-number?reason=callback`);
      expect(read.status).toBe(200);
      expect(read.body.callerNumber).toBe(number);
    });
  });

  describe('a reason for every full-number read', () => {
    it('is required (400 naming reason, nothing read, nothing audited) and kept in the audit entry', async () => {
      const number = `137${String(randomInt(10_000_000, 99_999_999))}`;
      const id = await answeredContact(stack, w.tree, await w.newOperator('a1s1'), { callerNumber: number });
      for (const query of [
        '',
        '?reason=',
        '?reason=%20%20%20',
        `?reason=${'x'.repeat(201)}`,
        '?reason=a%00b',
        '?reason=a&reason=b',
      ]) {
        const res = await get(w.sup, `/contacts/${id}/caller-number${query}`);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(messageOf(res)).toContain('reason');
        expect(res.text).not.toContain(number);
      }
      expect(await numberReads(id)).toBe(0);

      const reason = '  回访：确认物资送达  ';
      const res = await get(w.sup, `/contacts/${id}/caller-number?reason=${encodeURIComponent(reason)}`);
      expect(res.status).toBe(200);
      expect(res.body.callerNumber).toBe(number);
      const ok200 = await get(w.sup, `/contacts/${id}/caller-number?reason=${'x'.repeat(200)}`);
      expect(ok200.status).toBe(200);
      const log = await get(w.sup, `/audit-log?contactId=${id}&action=caller_number.read`);
      expect(log.status).toBe(200);
      expect(log.body.items.map((i: any) => [i.actorId, i.detail.reason]).reverse()).toEqual([
        [w.sup.id, '回访：确认物资送达'],
        [w.sup.id, 'x'.repeat(200)],
      ]);
    });
  });

  describe('the audit log', () => {
    it('cannot be emptied with TRUNCATE, not even by its owner, the application’s own connection', async () => {
      await recordedContact(stack, w.tree, await w.newOperator('a1s1'));
      const owner = await db.one<{ owns: boolean }>(
        `SELECT tableowner = current_user AS owns FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_log'`,
      );
      expect(owner).toEqual({ owns: true });
      const before = await count(stack, 'audit_log', []);
      expect(before).toBeGreaterThan(0);
      await expect(db.run('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
      await expect(db.tx((tx) => db.run('TRUNCATE TABLE ONLY audit_log RESTART IDENTITY', [], tx))).rejects.toThrow(
        /append-only/,
      );
      await expect(db.run('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      expect(await count(stack, 'audit_log', [])).toBe(before);
      // and it still takes new rows
      await recordedContact(stack, w.tree, await w.newOperator('a1s1'));
      expect(await count(stack, 'audit_log', [])).toBeGreaterThan(before);
    });
  });

  describe('review: four eyes', () => {
    const reviewsOf = (id: string) => count(stack, `record_reviews WHERE contact_id = $1`, [id]);
    const secondSupervisor = async (): Promise<Person> => {
      const u = await w.tree.user('supervisor', w.tree.stations.a1s1.id);
      await stack.app.get(UserRepository).addSupervisedStations(u.id, [w.tree.stations.a1s1.id]);
      return { ...u, token: await login(stack.url, u.username) };
    };

    it('a supervisor may not review their own amendment; another supervisor may; a later amendment by someone else is theirs again', async () => {
      const op = await w.newOperator('a1s1');
      const id = await recordedContact(stack, w.tree, op);
      const amended = await api(stack.url, 'PUT', `/records/${id}`, {
        token: w.sup.token,
        body: { ...OUTCOME, summary: '督导补充：已联系社区。', reason: '补充' },
      });
      expect(amended.status).toBe(200);
      expect(amended.body.outcome.version).toBe(2);

      const own = await post(w.sup, `/records/${id}/review`, { comment: '已复核' });
      expect(own.status).toBe(403);
      expect(messageOf(own)).toMatch(/version 2.*another supervisor/);
      expect(await reviewsOf(id)).toBe(0);
      expect(await count(stack, `audit_log WHERE contact_id = $1 AND action = 'record.review'`, [id])).toBe(0);
      expect((await get(w.sup, `/records/${id}`)).body.reviewed).toBe(false);

      const other = await secondSupervisor();
      expect((await post(other, `/records/${id}/review`, { comment: '已复核', expectedVersion: 2 })).status).toBe(200);

      // the operator amends again: the supervisor's amendment was reviewed by another, the new version is not theirs
      expect(
        (await api(stack.url, 'PUT', `/records/${id}`, { token: op.token, body: { ...OUTCOME, summary: '再补充' } }))
          .status,
      ).toBe(200);
      expect((await post(w.sup, `/records/${id}/review`, { comment: '复核第 3 版' })).status).toBe(200);
      expect(await reviewsOf(id)).toBe(2);
    });

    it('a supervisor may not review a record they recorded themselves', async () => {
      const id = await answeredContact(stack, w.tree, w.sup);
      expect((await post(w.sup, `/contacts/${id}/outcome`, OUTCOME)).status).toBe(201);
      const own = await post(w.sup, `/records/${id}/review`, { comment: '自己复核' });
      expect(own.status).toBe(403);
      expect(messageOf(own)).toMatch(/recorded this record.*another supervisor/);
      expect(await reviewsOf(id)).toBe(0);
      expect((await post(await secondSupervisor(), `/records/${id}/review`, { comment: '已复核' })).status).toBe(200);
    });
  });

  describe('masks', () => {
    it('new contacts get the strict mask', async () => {
      const cases: [string, (d: string) => string][] = [
        [`8${String(randomInt(1_000_000, 9_999_999))}`, (d) => `****${d.slice(-4)}`], // 8-digit landline
        [`+86 136${String(randomInt(10_000_000, 99_999_999))}`, (d) => `${d.slice(2, 5)}****${d.slice(-4)}`], // +86 mobile
        [`${String(randomInt(1_000_000, 9_999_999))}`, (d) => `****${d.slice(-3)}`], // 7 digits
      ];
      for (const [number, expected] of cases) {
        const c = await intake('a2s1', number);
        const digits = number.replace(/\D/g, '');
        expect({ number, masked: c.callerNumberMasked }).toEqual({ number, masked: expected(digits) });
      }
    });

    it('the masks stored under the old rule are brought under the new one by the migration, new ones left alone', async () => {
      const legacy: [string, string][] = [
        ['812****4567', '****4567'], // an 8-digit landline, 7 of its digits were shown
        ['020****4567', '****4567'], // a landline with its area code
        ['+86****5678', '*****678'], // the old mask kept the `+`: maybe only 7 digits
        ['***4567', '****567'], // 7 digits, 4 were shown
        ['**3456', '****56'], // 6 characters: maybe 5 digits and a `+`
        ['*2345', '*****'], // maybe 4 digits and a `+`
        ['138****5678', '138****5678'], // a mobile: unchanged
        ['****4567', '****4567'], // already the new form
        ['***45', '***45'],
        ['***', '***'],
      ];
      const ids: string[] = [];
      for (const [old] of legacy) {
        const c = await intake('a2s1', `8${String(randomInt(1_000_000, 9_999_999))}`);
        await db.run('UPDATE contacts SET caller_number_masked = $2 WHERE id = $1', [c.id, old]);
        ids.push(c.id);
      }
      const othersBefore = await db.rows<{ id: string; m: string | null }>(
        'SELECT id, caller_number_masked AS m FROM contacts WHERE NOT (id = ANY($1::uuid[])) ORDER BY id',
        [ids],
      );
      const migration = MIGRATIONS.find((m) => m.name === 'AuditIntegrity1764910000000');
      await db.run((migration as unknown as { remaskLegacyCallerNumbers: string }).remaskLegacyCallerNumbers);
      const after = await db.rows<{ id: string; m: string }>(
        'SELECT id, caller_number_masked AS m FROM contacts WHERE id = ANY($1::uuid[])',
        [ids],
      );
      const byId = new Map(after.map((r) => [r.id, r.m]));
      expect(legacy.map(([old], i) => [old, byId.get(ids[i])])).toEqual(legacy);
      // every mask the new rule wrote in this run is left as it was (running it twice changes nothing)
      const othersAfter = await db.rows<{ id: string; m: string | null }>(
        'SELECT id, caller_number_masked AS m FROM contacts WHERE NOT (id = ANY($1::uuid[])) ORDER BY id',
        [ids],
      );
      expect(othersBefore.length).toBeGreaterThan(3);
      expect(othersAfter).toEqual(othersBefore);
    });
  });
});
