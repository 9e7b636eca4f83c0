import { Db } from '../../libs/database/src';
import { randomUUID } from 'node:crypto';
import { AgentClient, Stack, login, sleep, startStack } from '../support/stack';
import { createTree } from '../support/fixtures';
import {
  AID_OUTCOME,
  OUTCOME,
  Person,
  RecordsWorld,
  api,
  inFuture,
  masked,
  recordedContact,
  recordsWorld,
  uniqueNumber,
} from './records.support';

/**
 * Privacy by design and scope (HTTP, real Postgres): the caller's number is nowhere in the database in plain text,
 * masked in every API answer, readable in full only by the roles that call back, each read audited; a record
 * outside one's part of the organisation answers 404 and never appears in a list.
 */
describe('service records: scope and privacy', () => {
  let stack: Stack;
  let db: Db;
  let w: RecordsWorld;
  const number = uniqueNumber();
  let contactId: string;
  let aidId: string;
  let followUpId: string;

  beforeAll(async () => {
    stack = await startStack();
    db = stack.app.get(Db);
    w = await recordsWorld(stack);
    // one record of station a1s1 (district a1), with material aid, a follow-up, a review, an amendment
    const body = { ...AID_OUTCOME, followUp: { dueAt: inFuture(24), note: '回访' } };
    contactId = await recordedContact(stack, w.tree, w.op1, body, {
      callerNumber: `${number.slice(0, 3)}-${number.slice(3, 7)}-${number.slice(7)}`,
    });
    aidId = (await db.one<{ id: string }>('SELECT id FROM aid_requests WHERE contact_id = $1', [contactId]))!.id;
    followUpId = (await db.one<{ id: string }>('SELECT id FROM follow_ups WHERE source_contact_id = $1', [contactId]))!
      .id;
    const amended = await api(stack.url, 'PUT', `/records/${contactId}`, {
      token: w.op1.token,
      body: { ...AID_OUTCOME, summary: '补充' },
    });
    expect(amended.status).toBe(200);
    expect(
      (await api(stack.url, 'POST', `/records/${contactId}/review`, { token: w.sup.token, body: { comment: 'ok' } }))
        .status,
    ).toBe(200);
  });
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  const get = (p: Person, path: string) => api(stack.url, 'GET', path, { token: p.token });

  describe('scope', () => {
    const outsiders = (): [string, Person][] => [
      ['an operator of another district', w.otherOp],
      ['a coordinator of another district', w.otherCoord],
      ['a supervisor of another district', w.otherSup],
    ];

    it('a record outside one’s part of the tree answers 404 everywhere, as if it did not exist', async () => {
      for (const [who, p] of outsiders()) {
        const checks: [string, string, unknown?][] = [
          ['GET', `/records/${contactId}`],
          ['GET', `/contacts/${contactId}`],
          ['GET', `/contacts/${contactId}/history`],
          ['GET', `/contacts/${contactId}/caller-number?reason=callback`],
          ['PUT', `/records/${contactId}`, OUTCOME],
          ['POST', `/records/${contactId}/review`, { comment: 'x' }],
          ['GET', `/aid-requests/${aidId}`],
          ['POST', `/aid-requests/${aidId}/arrange`, {}],
          ['POST', `/aid-requests/${aidId}/cancel`, { reason: 'x' }],
          ['POST', `/follow-ups/${followUpId}/complete`, { contactId }],
        ];
        for (const [method, path, body] of checks) {
          const res = await api(stack.url, method, path, { token: p.token, body });
          expect({ who, method, path, status: res.status }).toEqual({ who, method, path, status: 404 });
        }
      }
      // and the same 404 as for an id that does not exist
      const ghost = await get(w.otherSup, '/records/00000000-0000-4000-8000-000000000000');
      expect(ghost.status).toBe(404);
      expect(ghost.body.message).toBe((await get(w.otherSup, `/records/${contactId}`)).body.message);
      expect((await get(w.otherSup, `/aid-requests/${aidId}`)).status).toBe(404);
      // nothing changed
      expect((await db.one<any>('SELECT status FROM aid_requests WHERE id = $1', [aidId]))!.status).toBe('requested');
      expect((await db.one<any>('SELECT version FROM outcomes WHERE contact_id = $1', [contactId]))!.version).toBe(2);
    });

    it('lists never include records outside scope', async () => {
      const lists = [
        '/records?pageSize=100',
        '/records/review-queue?pageSize=100',
        '/aid-requests?status=all&pageSize=100',
        '/follow-ups?status=all&pageSize=100',
        `/records?orgUnitId=${w.tree.stations.a1s1.id}`,
      ];
      for (const [who, p] of outsiders()) {
        for (const path of lists) {
          const res = await get(p, path);
          expect({ who, path, status: res.status }).toEqual({ who, path, status: 200 });
          expect(res.text).not.toContain(contactId);
          expect(res.text).not.toContain(aidId);
          expect(res.text).not.toContain(followUpId);
        }
      }
      const audit = await get(w.otherSup, '/audit-log?pageSize=100');
      expect(audit.status).toBe(200);
      expect(audit.text).not.toContain(contactId);
      // while the people of district a1 and the city see it
      for (const p of [w.op2, w.coord, w.sup, w.manager, w.admin]) {
        const res = await get(p, `/records?pageSize=100&orgUnitId=${w.tree.stations.a1s1.id}`);
        expect(res.body.items.map((r: any) => r.contactId)).toContain(contactId);
        expect((await get(p, `/records/${contactId}`)).status).toBe(200);
      }
      expect((await get(w.opS2, '/aid-requests')).body.items.map((a: any) => a.id)).not.toContain(aidId); // a1s2 neither delivers nor asked
      expect((await get(w.sup, '/audit-log?pageSize=100')).text).toContain(contactId);
    });

    it('the audit log is for admins and supervisors only', async () => {
      for (const p of [w.op1, w.coord, w.manager]) expect((await get(p, '/audit-log')).status).toBe(403);
      expect((await get(w.admin, `/audit-log?contactId=${contactId}`)).body.total).toBeGreaterThanOrEqual(3);
    });
  });

  describe('the caller’s number', () => {
    it('appears nowhere in the database in plain text (every text, json and bytea column of every table)', async () => {
      const { columns, hits } = await columnScan(db);
      const tables = new Set(columns.map((c) => c.table_name));
      for (const t of [
        'contacts',
        'outcomes',
        'outcome_versions',
        'audit_log',
        'aid_requests',
        'aid_request_steps',
        'follow_ups',
      ]) {
        expect(tables).toContain(t);
      }
      // the search finds what is there: the masked number
      const maskedColumn = columns.find(
        (c) => c.table_name === 'contacts' && c.column_name === 'caller_number_masked',
      )!;
      expect(await hits(maskedColumn, masked(number))).toBeGreaterThan(0);
      const needles = [number, `${number.slice(0, 3)}-${number.slice(3, 7)}-${number.slice(7)}`, number.slice(3)];
      for (const c of columns) {
        for (const needle of needles) {
          const column = `${c.table_name}.${c.column_name}`;
          expect({ column, needle, hits: await hits(c, needle) }).toEqual({ column, needle, hits: 0 });
        }
      }
      expect(columns.length).toBeGreaterThan(50);
      // what is there instead: the masked number, the keyed hash, the ciphertext
      const row = await db.one<any>(
        'SELECT caller_number_masked, caller_number_hash, caller_number_enc FROM contacts WHERE id = $1',
        [contactId],
      );
      expect(row.caller_number_masked).toBe(masked(number));
      expect(row.caller_number_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(Buffer.isBuffer(row.caller_number_enc) && row.caller_number_enc.length).toBeGreaterThan(29);
    });

    it('is masked in every API answer', async () => {
      const again = await api(stack.url, 'POST', '/contacts', {
        key: w.tree.intakeKey,
        body: { hotlineNumber: w.tree.stations.a1s1.hotline, channel: 'phone', callerNumber: number },
      });
      const answers = [
        again,
        await get(w.sup, `/contacts/${contactId}`),
        await get(w.sup, `/records/${contactId}`),
        await get(w.sup, '/records?pageSize=100'),
        await get(w.sup, `/contacts/${again.body.id}/history`),
        await get(w.op1, '/aid-requests?status=all'),
        await get(w.op1, `/aid-requests/${aidId}`),
        await get(w.op1, '/follow-ups?status=all'),
        await api(stack.url, 'PUT', `/records/${contactId}`, {
          token: w.sup.token,
          body: { ...AID_OUTCOME, summary: '督导补充' },
        }),
        await get(w.sup, '/records/review-queue'), // unreviewed again after the amendment
        await get(w.admin, '/audit-log?pageSize=100'),
      ];
      for (const res of answers) {
        expect(res.status).toBeLessThan(300);
        expect(res.text).not.toContain(number);
        expect(res.text).not.toContain(number.slice(3));
      }
      for (const res of answers.slice(0, -1)) expect(res.text).toContain(masked(number));
      expect(answers[4].body.previous.map((p: any) => p.contactId)).toContain(contactId);
    });

    it('is readable in full by those who call back, each read audited with who, when and from where', async () => {
      const before = new Date(Date.now() - 1000);
      const res = await api(stack.url, 'GET', `/contacts/${contactId}/caller-number?reason=callback`, {
        token: w.op1.token,
        headers: { 'user-agent': 'kapok-console-test' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ contactId, callerNumber: number, callerNumberMasked: masked(number) });

      const rows = await db.rows<any>(
        `SELECT * FROM audit_log WHERE contact_id = $1 AND action = 'caller_number.read' AND actor_id = $2`,
        [contactId, w.op1.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        actor_role: 'operator',
        subject_type: 'contact',
        subject_id: contactId,
        station_id: w.tree.stations.a1s1.id,
        user_agent: 'kapok-console-test',
        detail: { reason: 'callback' },
      });
      expect(rows[0].ip).toMatch(/127\.0\.0\.1|::1/);
      expect(new Date(rows[0].at).getTime()).toBeGreaterThanOrEqual(before.getTime());
      // supervisors read it through the API
      const log = await get(w.sup, `/audit-log?contactId=${contactId}&action=caller_number.read`);
      expect(log.body.items).toEqual([
        expect.objectContaining({ actorId: w.op1.id, action: 'caller_number.read', ip: rows[0].ip }),
      ]);

      // the coordinator and supervisor in scope may; so may the station delivering the aid
      for (const p of [w.coord, w.sup])
        expect((await get(p, `/contacts/${contactId}/caller-number?reason=callback`)).body.callerNumber).toBe(number);
      await api(stack.url, 'PUT', `/records/${contactId}`, {
        token: w.sup.token,
        body: {
          ...AID_OUTCOME,
          materialAid: { ...AID_OUTCOME.materialAid, deliveringStationId: w.tree.stations.a2s1.id },
        },
      });
      expect((await get(w.otherOp, `/contacts/${contactId}/caller-number?reason=aid`)).body.callerNumber).toBe(number);
      expect((await get(w.otherOp, `/records/${contactId}`)).status).toBe(404); // the number, not the record
      // an operator of the station who neither handled nor follows up: 403; managers and admins never
      for (const p of [w.op2, w.manager, w.admin])
        expect((await get(p, `/contacts/${contactId}/caller-number?reason=callback`)).status).toBe(403);
      expect(
        await db.one<any>(
          `SELECT count(*)::int AS n FROM audit_log WHERE contact_id = $1 AND action = 'caller_number.read'`,
          [contactId],
        ),
      ).toEqual({ n: 4 });
    });

    it('audit rows of every kind say where the request came from (also those written for other libraries’ routes)', async () => {
      const rows = await db.rows<any>('SELECT action, ip, request_id FROM audit_log WHERE contact_id = $1', [
        contactId,
      ]);
      expect(rows.map((r) => r.action)).toEqual(
        expect.arrayContaining(['record.create', 'record.amend', 'record.review']),
      );
      for (const r of rows) {
        expect(r.ip).toMatch(/127\.0\.0\.1|::1/);
        expect(r.request_id).toBeTruthy();
      }
      // the audit row carries the request's own id: the one answered in X-Request-Id and on its log lines
      const traced = `audit-${contactId.slice(0, 8)}`;
      const res = await fetch(`${stack.url}/api/contacts/${contactId}/caller-number?reason=callback`, {
        headers: { authorization: `Bearer ${w.op1.token}`, 'x-request-id': traced },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(traced);
      const read = await db.rows<{ request_id: string }>(
        `SELECT request_id FROM audit_log WHERE contact_id = $1 AND action = 'caller_number.read' AND request_id = $2`,
        [contactId, traced],
      );
      expect(read).toHaveLength(1);
    });

    it('the audit log is append-only', async () => {
      await expect(db.run(`UPDATE audit_log SET action = 'x' WHERE contact_id = $1`, [contactId])).rejects.toThrow(
        /append-only/,
      );
      await expect(db.run(`DELETE FROM audit_log WHERE contact_id = $1`, [contactId])).rejects.toThrow(/append-only/);
    });
  });

  describe('message text', () => {
    it('appears nowhere in the database in plain form: messages and transfer notes (every text, json and bytea column)', async () => {
      const tag = randomUUID().slice(0, 8);
      const [said, answered, note] = [`我最近很难过-${tag}`, `谢谢你告诉我-${tag}`, `需要督导跟进-${tag}`];
      // (a city of its own: the earlier tests leave contacts waiting, which overflow to every station of theirs)
      const own = await createTree(stack.app);
      const session = await api(stack.url, 'POST', '/chat/sessions', {
        body: { hotlineNumber: own.stations.b1s1.hotline },
      });
      const worker = await own.operator('b1s1');
      const token = await login(stack.url, worker.username);
      expect(session.status).toBe(201);
      const caller = await AgentClient.chat(stack.url, session.body.resumeToken);
      const op = await AgentClient.connect(stack.url, token);
      try {
        expect((await caller.emit('message:send', { clientId: 'c-1', text: said })).ok).toBe(true);
        await op.available();
        const offer = await op.next('contact:offer', (o) => o.contact.id === session.body.contactId);
        expect((await op.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
        const sent = await op.emit('message:send', {
          contactId: session.body.contactId,
          clientId: 'o-1',
          text: answered,
        });
        expect(sent.ok).toBe(true);
        const moved = await api(stack.url, 'POST', `/contacts/${session.body.contactId}/transfer`, {
          token,
          body: { to: { orgUnitId: own.stations.b1s1.id }, note },
        });
        expect(moved.status).toBe(200);
      } finally {
        caller.close();
        op.close();
      }
      const { columns, hits } = await columnScan(db);
      const tables = new Set(columns.map((c) => c.table_name));
      for (const t of ['messages', 'conversations', 'contact_transfers']) expect(tables).toContain(t);
      // the search finds what is stored in plain form (the contact's id on its conversation)
      const contactColumn = columns.find((c) => c.table_name === 'contacts' && c.column_name === 'external_id')!;
      expect(await hits(contactColumn, session.body.conversationId)).toBe(1);
      for (const c of columns) {
        for (const needle of [said, answered, note, tag]) {
          const column = `${c.table_name}.${c.column_name}`;
          expect({ column, needle, hits: await hits(c, needle) }).toEqual({ column, needle, hits: 0 });
        }
      }
      // what is there instead: ciphertexts, one per message
      const rows = await db.rows<{ text_enc: Buffer }>(
        `SELECT m.text_enc FROM messages m JOIN conversations v ON v.id = m.conversation_id WHERE v.contact_id = $1`,
        [session.body.contactId],
      );
      expect(rows.length).toBeGreaterThanOrEqual(3); // the caller's, the operator's, the transfer notice
      for (const r of rows) expect(Buffer.isBuffer(r.text_enc) && r.text_enc.length).toBeGreaterThan(29);
    });
  });
});

/**
 * Every text, json, bytea and array column of every table, and a search of one column for a string (as text; a bytea
 * also as raw bytes and as hex): the privacy scans below.
 */
async function columnScan(db: Db) {
  const columns = await db.rows<{ table_name: string; column_name: string; data_type: string; udt_name: string }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_name
       FROM information_schema.columns c JOIN information_schema.tables t
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public'
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY'))`,
  );
  /** Rows of the column holding `text` (as text; a bytea also as raw bytes and as hex). */
  const hits = async (c: (typeof columns)[number], text: string) => {
    const col = `"${c.column_name}"`;
    const asText = c.data_type === 'bytea' ? `encode(${col}, 'escape')` : `${col}::text`;
    const hex = c.data_type === 'bytea' ? `OR encode(${col}, 'hex') LIKE '%' || $2 || '%'` : 'OR $2::text IS NULL';
    const row = await db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE ${asText} LIKE '%' || $1 || '%' ${hex}`,
      [text, Buffer.from(text, 'utf8').toString('hex')],
    );
    return row!.n;
  };
  return { columns, hits };
}
