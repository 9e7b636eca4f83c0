import { Db } from '../../libs/database/src';
import { RoutingJob } from '../../libs/queue/src';
import { FlagOverdueAid } from '../../libs/records/src';
import { RouterSchedules } from '../../apps/router/src/router-schedules';
import { AgentClient, Stack, login, sleep, startStack } from '../support/stack';
import { routingQueue, shanghaiDay } from '../support/clock';
import {
  AID_OUTCOME,
  HIGH_RISK_OUTCOME,
  OUTCOME,
  RecordsWorld,
  answeredContact,
  api,
  count,
  inFuture,
  recordedContact,
  recordsWorld,
  uniqueNumber,
} from './records.support';

/**
 * Service records end to end (HTTP + socket.io, real Postgres and Redis): material aid to delivery, amendments
 * and their window, version history, review, follow-ups, caller history, finding records.
 */
describe('service records: workflow', () => {
  let stack: Stack;
  let db: Db;
  let w: RecordsWorld;
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    // This file moves deadlines (aid requested 49 h ago, a follow-up due an hour ago) and runs the sweeps that act on
    // them itself: the router's reconcile sweep and its minute job of the overdue-aid sweep would race those checks
    // (that job's scheduler is removed, and the router's watch that would recreate it stopped).
    stack = await startStack({ RECONCILE_INTERVAL_SECONDS: '3600' });
    stack.app.get(RouterSchedules).stop();
    await routingQueue(stack.app).removeJobScheduler(RoutingJob.FlagOverdueAid);
    db = stack.app.get(Db);
    w = await recordsWorld(stack);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  const get = (token: string, path: string) => api(stack.url, 'GET', path, { token });
  const post = (token: string, path: string, body: unknown = {}) => api(stack.url, 'POST', path, { token, body });
  const put = (token: string, path: string, body: unknown) => api(stack.url, 'PUT', path, { token, body });
  const aidOf = async (contactId: string) =>
    (await db.one<{ id: string; status: string }>('SELECT id, status FROM aid_requests WHERE contact_id = $1', [
      contactId,
    ]))!;

  describe('material aid to delivery', () => {
    it('requested → arranged → delivered by the delivering station, each step with who and when', async () => {
      const body = {
        ...AID_OUTCOME,
        materialAid: { ...AID_OUTCOME.materialAid, deliveringStationId: w.tree.stations.a1s2.id },
      };
      const id = await recordedContact(stack, w.tree, w.op1, body);
      const { id: aidId } = await aidOf(id);

      const list = await get(w.opS2.token, '/aid-requests');
      expect(list.status).toBe(200);
      const mine = list.body.items.find((a: any) => a.id === aidId);
      expect(mine).toMatchObject({
        status: 'requested',
        contactId: id,
        deliveringStationId: w.tree.stations.a1s2.id,
        originStationId: w.tree.stations.a1s1.id,
        overdue: false,
        items: AID_OUTCOME.materialAid.items,
      });

      // the requesting station sees it but does not deliver it
      expect((await get(w.op1.token, `/aid-requests/${aidId}`)).status).toBe(200);
      expect((await post(w.op1.token, `/aid-requests/${aidId}/arrange`)).status).toBe(403);
      // nor does a manager
      expect((await post(w.manager.token, `/aid-requests/${aidId}/arrange`)).status).toBe(403);
      // deliver before arranged: the state does not allow it
      const early = await post(w.opS2.token, `/aid-requests/${aidId}/deliver`);
      expect(early.status).toBe(409);
      expect((await aidOf(id)).status).toBe('requested');

      const arranged = await post(w.opS2.token, `/aid-requests/${aidId}/arrange`, { note: '明天上午送达' });
      expect(arranged.status).toBe(200);
      expect(arranged.body).toMatchObject({ status: 'arranged', arrangedBy: w.opS2.id });
      expect((await post(w.opS2.token, `/aid-requests/${aidId}/arrange`)).status).toBe(409);

      const delivered = await post(w.coord.token, `/aid-requests/${aidId}/deliver`, { note: '已签收' });
      expect(delivered.status).toBe(200);
      expect(delivered.body).toMatchObject({ status: 'delivered', deliveredBy: w.coord.id });
      expect(delivered.body.steps.map((s: any) => [s.from, s.to, s.actorId, s.note])).toEqual([
        [null, 'requested', w.op1.id, null],
        ['requested', 'arranged', w.opS2.id, '明天上午送达'],
        ['arranged', 'delivered', w.coord.id, '已签收'],
      ]);
      for (const s of delivered.body.steps) expect(Date.parse(s.at)).toBeGreaterThan(0);

      // nothing moves a delivered request any more
      for (const step of ['arrange', 'deliver'])
        expect((await post(w.opS2.token, `/aid-requests/${aidId}/${step}`)).status).toBe(409);
      expect((await post(w.opS2.token, `/aid-requests/${aidId}/cancel`, { reason: '不需要' })).status).toBe(409);
      expect((await aidOf(id)).status).toBe('delivered');
      // the default list shows open requests only
      expect((await get(w.opS2.token, '/aid-requests')).body.items.map((a: any) => a.id)).not.toContain(aidId);
      expect((await get(w.opS2.token, '/aid-requests?status=delivered')).body.items.map((a: any) => a.id)).toContain(
        aidId,
      );
      // audit rows for the two steps
      expect(
        await count(stack, `audit_log WHERE subject_id = $1 AND action IN ('aid.arrange','aid.deliver')`, [aidId]),
      ).toBe(2);
    });

    it('is delivered by the line’s station by default; cancelled with a reason, by the requesting side too', async () => {
      const id = await recordedContact(stack, w.tree, w.op1, AID_OUTCOME);
      const { id: aidId } = await aidOf(id);
      const read = await get(w.op1.token, `/aid-requests/${aidId}`);
      expect(read.body).toMatchObject({ deliveringStationId: w.tree.stations.a1s1.id, status: 'requested' });
      const record = await get(w.op1.token, `/records/${id}`);
      expect(record.body.outcome.materialAid.deliveringStationId).toBe(w.tree.stations.a1s1.id);

      expect((await post(w.op2.token, `/aid-requests/${aidId}/cancel`, {})).status).toBe(400);
      const cancelled = await post(w.op2.token, `/aid-requests/${aidId}/cancel`, { reason: '亲属已送来物资' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({
        status: 'cancelled',
        cancelReason: '亲属已送来物资',
        cancelledBy: w.op2.id,
      });
      for (const step of ['arrange', 'deliver'])
        expect((await post(w.op2.token, `/aid-requests/${aidId}/${step}`)).status).toBe(409);
      expect((await post(w.op2.token, `/aid-requests/${aidId}/cancel`, { reason: 'again' })).status).toBe(409);
    });

    it('lists open requests oldest first and flags overdue ones (48 h) to the coordinator, once', async () => {
      const older = await recordedContact(stack, w.tree, w.op1, AID_OUTCOME);
      const newer = await recordedContact(stack, w.tree, w.op1, AID_OUTCOME);
      const [a, b] = [await aidOf(older), await aidOf(newer)];
      await db.run(`UPDATE aid_requests SET requested_at = now() - interval '49 hours' WHERE id = $1`, [a.id]);
      await db.run(`UPDATE aid_requests SET requested_at = now() - interval '10 hours' WHERE id = $1`, [b.id]);
      const list = await get(w.coord.token, `/aid-requests?orgUnitId=${w.tree.stations.a1s1.id}&pageSize=100`);
      const ids = list.body.items.map((x: any) => x.id);
      expect(ids.indexOf(a.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
      const times = list.body.items.map((x: any) => Date.parse(x.requestedAt));
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      expect(list.body.items.find((x: any) => x.id === a.id).overdue).toBe(true);
      expect(list.body.items.find((x: any) => x.id === b.id).overdue).toBe(false);
      const overdue = await get(w.coord.token, '/aid-requests?overdue=true&pageSize=100');
      expect(overdue.body.items.map((x: any) => x.id)).toContain(a.id);
      expect(overdue.body.items.map((x: any) => x.id)).not.toContain(b.id);

      const flag = stack.app.get(FlagOverdueAid);
      expect(await flag.execute()).toBeGreaterThanOrEqual(1);
      expect(await count(stack, 'aid_requests WHERE id = $1 AND overdue_flagged_at IS NOT NULL', [a.id])).toBe(1);
      expect(await count(stack, 'aid_requests WHERE id = $1 AND overdue_flagged_at IS NULL', [b.id])).toBe(1);
      expect(await flag.execute()).toBe(0);
    });
  });

  describe('amendments and version history', () => {
    it('the author amends within 24 h; every version kept with who, when, why and what changed', async () => {
      const id = await recordedContact(stack, w.tree, w.op1, OUTCOME);
      const v2 = await put(w.op1.token, `/records/${id}`, {
        ...OUTCOME,
        serviceTypes: ['emotional_support', 'resource_linking'],
        summary: '补充：已链接社区长者饭堂。',
        reason: '补充资源链接',
        expectedVersion: 1,
      });
      expect(v2.status).toBe(200);
      expect(v2.body.outcome).toMatchObject({ version: 2, serviceTypes: ['emotional_support', 'resource_linking'] });
      // the outcome row is the current version, updated in place
      const row = await db.one<any>('SELECT service_types, summary, version FROM outcomes WHERE contact_id = $1', [id]);
      expect(row).toMatchObject({ service_types: ['emotional_support', 'resource_linking'], version: 2 });

      // the same content again: no new version
      const same = await put(w.op1.token, `/records/${id}`, {
        ...OUTCOME,
        serviceTypes: ['emotional_support', 'resource_linking'],
        summary: '补充：已链接社区长者饭堂。',
      });
      expect(same.status).toBe(200);
      expect(same.body.outcome.version).toBe(2);
      // based on an old version: 409
      expect((await put(w.op1.token, `/records/${id}`, { ...OUTCOME, expectedVersion: 1 })).status).toBe(409);
      // not the author, not a supervisor
      expect((await put(w.op2.token, `/records/${id}`, OUTCOME)).status).toBe(403);
      expect((await put(w.coord.token, `/records/${id}`, OUTCOME)).status).toBe(403);

      // 25 hours later the author can no longer amend; a supervisor can
      await db.run(`UPDATE outcomes SET created_at = created_at - interval '25 hours' WHERE contact_id = $1`, [id]);
      const late = await put(w.op1.token, `/records/${id}`, { ...OUTCOME, summary: '太晚了' });
      expect(late.status).toBe(403);
      expect(late.body.message).toContain('24 hours');
      const v3 = await put(w.sup.token, `/records/${id}`, {
        ...HIGH_RISK_OUTCOME,
        reason: '督导更正：评估为高风险',
      });
      expect(v3.status).toBe(200);
      expect(v3.body.outcome.version).toBe(3);

      const record = await get(w.sup.token, `/records/${id}`);
      expect(record.body.versions.map((v: any) => [v.version, v.authorId, v.reason])).toEqual([
        [1, w.op1.id, null],
        [2, w.op1.id, '补充资源链接'],
        [3, w.sup.id, '督导更正：评估为高风险'],
      ]);
      expect(record.body.versions[0].content.summary).toBe(OUTCOME.summary);
      expect(record.body.versions[1].changed).toEqual(['serviceTypes', 'summary']);
      expect(record.body.versions[2].changed).toEqual(
        expect.arrayContaining(['serviceTypes', 'targetGroup', 'summary', 'psychological', 'problems']),
      );
      expect(record.body.versions[2].content.psychological.riskAssessment).toBe('high');
      expect(record.body.highRisk).toBe(true);
      // problems follow the record
      const problems = await db.rows<any>('SELECT category, resolution FROM record_problems WHERE contact_id = $1', [
        id,
      ]);
      expect(problems).toEqual([{ category: 'mental_health', resolution: 'referred' }]);
      const audit = await db.rows<any>(
        `SELECT actor_id, action, detail FROM audit_log WHERE contact_id = $1 AND subject_type = 'record' ORDER BY id`,
        [id],
      );
      expect(audit.map((a) => [a.action, a.actor_id])).toEqual([
        ['record.create', w.op1.id],
        ['record.amend', w.op1.id],
        ['record.amend', w.sup.id],
      ]);
      expect(audit[1].detail).toMatchObject({ fromVersion: 1, version: 2, changed: ['serviceTypes', 'summary'] });
    });

    it('an amendment moves a still-requested aid request with the record, and cannot change an arranged one', async () => {
      const id = await recordedContact(stack, w.tree, w.op1, AID_OUTCOME);
      const { id: aidId } = await aidOf(id);
      const items = [{ category: 'medicine', description: '降压药', quantity: 3 }];
      const moved = await put(w.op1.token, `/records/${id}`, {
        ...AID_OUTCOME,
        materialAid: { items, deliveringStationId: w.tree.stations.a1s2.id },
      });
      expect(moved.status).toBe(200);
      const aid = await get(w.opS2.token, `/aid-requests/${aidId}`);
      expect(aid.body).toMatchObject({ status: 'requested', items, deliveringStationId: w.tree.stations.a1s2.id });
      expect((await post(w.opS2.token, `/aid-requests/${aidId}/arrange`)).status).toBe(200);
      const refused = await put(w.op1.token, `/records/${id}`, {
        ...AID_OUTCOME,
        materialAid: { items: AID_OUTCOME.materialAid.items },
      });
      expect(refused.status).toBe(409);
      expect((await get(w.op1.token, `/records/${id}`)).body.outcome.version).toBe(2);
      // other fields can still be amended
      expect(
        (
          await put(w.op1.token, `/records/${id}`, {
            ...AID_OUTCOME,
            materialAid: { items, deliveringStationId: w.tree.stations.a1s2.id },
            summary: '送药',
          })
        ).status,
      ).toBe(200);
    });

    it('a record not completed yet cannot be amended or reviewed (409)', async () => {
      const op = await w.newOperator();
      const id = await answeredContact(stack, w.tree, op);
      expect((await put(op.token, `/records/${id}`, OUTCOME)).status).toBe(409);
      expect((await post(w.sup.token, `/records/${id}/review`, { comment: 'ok' })).status).toBe(409);
      await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token: op.token, body: OUTCOME });
    });
  });

  describe('review', () => {
    it('a supervisor marks the current version reviewed with a comment; an amendment makes it unreviewed again', async () => {
      const id = await recordedContact(stack, w.tree, w.op1, OUTCOME);
      expect((await post(w.op1.token, `/records/${id}/review`, { comment: '自评' })).status).toBe(403);
      expect((await post(w.coord.token, `/records/${id}/review`, { comment: '看过' })).status).toBe(403);
      const reviewed = await post(w.sup.token, `/records/${id}/review`, {
        comment: '记录完整，跟进及时。',
        expectedVersion: 1,
      });
      expect(reviewed.status).toBe(200);
      expect(reviewed.body).toMatchObject({ reviewed: true, lastReview: { version: 1, by: w.sup.id } });
      expect(reviewed.body.reviews).toEqual([
        expect.objectContaining({ version: 1, reviewerId: w.sup.id, comment: '记录完整，跟进及时。' }),
      ]);
      expect((await post(w.sup.token, `/records/${id}/review`, { comment: 'again' })).status).toBe(409);
      expect(
        (await get(w.sup.token, `/records?reviewed=true&pageSize=100`)).body.items.map((r: any) => r.contactId),
      ).toContain(id);

      await put(w.op1.token, `/records/${id}`, { ...OUTCOME, summary: '补充说明' });
      const after = await get(w.sup.token, `/records/${id}`);
      expect(after.body.reviewed).toBe(false);
      expect(
        (await get(w.sup.token, `/records?reviewed=false&pageSize=100`)).body.items.map((r: any) => r.contactId),
      ).toContain(id);
      expect((await post(w.sup.token, `/records/${id}/review`, { comment: '复核', expectedVersion: 1 })).status).toBe(
        409,
      );
      expect((await post(w.sup.token, `/records/${id}/review`, { comment: '复核' })).status).toBe(200);
      expect(await count(stack, `audit_log WHERE contact_id = $1 AND action = 'record.review'`, [id])).toBe(2);
    });

    it('a supervisor may review without a comment (a given comment is never blank)', async () => {
      const id = await recordedContact(stack, w.tree, w.op1, OUTCOME);
      expect((await post(w.sup.token, `/records/${id}/review`, { comment: '  ' })).status).toBe(400);
      expect((await post(w.sup.token, `/records/${id}/review`, { expectedVersion: 1 })).status).toBe(200);
      const record = await get(w.sup.token, `/records/${id}`);
      expect(record.body.reviewed).toBe(true);
      expect(record.body.reviews).toEqual([
        expect.objectContaining({ version: 1, reviewerId: w.sup.id, comment: null }),
      ]);
      expect(await count(stack, `audit_log WHERE contact_id = $1 AND action = 'record.review'`, [id])).toBe(1);
    });

    it('lists unreviewed high-risk records first in the review queue', async () => {
      const v = await recordsWorld(stack); // a tree of its own: only these records
      const sup = v.sup;
      const low = await recordedContact(stack, v.tree, v.op1, OUTCOME);
      const high = await recordedContact(stack, v.tree, v.op1, HIGH_RISK_OUTCOME);
      const reviewedHigh = await recordedContact(stack, v.tree, v.op1, HIGH_RISK_OUTCOME);
      expect((await post(sup.token, `/records/${reviewedHigh}/review`, { comment: 'ok' })).status).toBe(200);
      const queue = await get(sup.token, '/records/review-queue');
      expect(queue.status).toBe(200);
      const ids = queue.body.items.map((r: any) => r.contactId);
      expect(ids).toEqual([high, low]);
      expect(queue.body.items[0]).toMatchObject({ highRisk: true, reviewed: false });
    });
  });

  describe('follow-ups', () => {
    it('are listed per operator and station with due and overdue; completing one links the follow-up contact', async () => {
      const caller = uniqueNumber();
      const op = await w.newOperator();
      const id = await recordedContact(
        stack,
        w.tree,
        op,
        { ...OUTCOME, followUp: { dueAt: inFuture(24), note: '回访' } },
        { callerNumber: caller },
      );
      const fu = (await db.one<{ id: string }>('SELECT id FROM follow_ups WHERE source_contact_id = $1', [id]))!;

      const mine = await get(op.token, '/follow-ups?workerId=me');
      expect(mine.status).toBe(200);
      expect(mine.body.items).toEqual([
        expect.objectContaining({ id: fu.id, sourceContactId: id, status: 'scheduled', overdue: false }),
      ]);
      expect(mine.body.total).toBe(1);
      const station = await get(w.coord.token, `/follow-ups?orgUnitId=${w.tree.stations.a1s1.id}&pageSize=100`);
      expect(station.body.items.map((f: any) => f.id)).toContain(fu.id);

      await db.run(`UPDATE follow_ups SET due_at = now() - interval '1 hour' WHERE id = $1`, [fu.id]);
      const overdue = await get(op.token, '/follow-ups?workerId=me&overdue=true');
      expect(overdue.body.items.map((f: any) => [f.id, f.overdue])).toEqual([[fu.id, true]]);
      expect(
        (await get(op.token, `/records?followUp=overdue&pageSize=100`)).body.items.map((r: any) => r.contactId),
      ).toContain(id);

      // the caller calls back: that contact completes the follow-up (another caller's contact cannot)
      const stranger = await recordedContact(stack, w.tree, op, OUTCOME);
      const wrong = await post(op.token, `/follow-ups/${fu.id}/complete`, { contactId: stranger });
      expect(wrong.status).toBe(400);
      expect(wrong.body.message.join(' ')).toContain('contactId');
      expect((await post(op.token, `/follow-ups/${fu.id}/complete`, { contactId: id })).status).toBe(400);
      expect((await post(op.token, `/follow-ups/${fu.id}/complete`, {})).status).toBe(400);
      expect((await post(w.manager.token, `/follow-ups/${fu.id}/complete`, { contactId: id })).status).toBe(403);
      const again = await recordedContact(stack, w.tree, op, OUTCOME, { callerNumber: caller });
      const done = await post(op.token, `/follow-ups/${fu.id}/complete`, { contactId: again, note: '已回访' });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ id: fu.id, status: 'done', contactId: again, overdue: false });
      expect((await post(op.token, `/follow-ups/${fu.id}/complete`, { contactId: again })).status).toBe(409);
      expect((await get(op.token, '/follow-ups?workerId=me')).body.items).toEqual([]);
      expect((await get(op.token, '/follow-ups?workerId=me&status=done')).body.items.map((f: any) => f.id)).toEqual([
        fu.id,
      ]);
    });
  });

  describe('caller history', () => {
    it('an operator offered a repeat caller sees their earlier contacts in scope, with open follow-ups and aid', async () => {
      const caller = uniqueNumber();
      const op = await w.newOperator();
      const first = await recordedContact(
        stack,
        w.tree,
        op,
        { ...AID_OUTCOME, followUp: { dueAt: inFuture(30), note: '回访' } },
        { callerNumber: caller },
      );
      const second = await recordedContact(stack, w.tree, op, HIGH_RISK_OUTCOME, { callerNumber: caller });
      // the same caller on another district's line: not in this operator's scope
      const elsewhere = await recordedContact(stack, w.tree, w.otherOp, OUTCOME, {
        station: 'a2s1',
        callerNumber: caller,
      });

      const c = await AgentClient.connect(stack.url, await login(stack.url, op.username));
      clients.push(c);
      await c.available();
      const intake = await api(stack.url, 'POST', '/contacts', {
        key: w.tree.intakeKey,
        body: { hotlineNumber: w.tree.stations.a1s1.hotline, channel: 'phone', callerNumber: caller },
      });
      const offer = await c.next('contact:offer');
      expect(offer.contact.id).toBe(intake.body.id);

      const history = await get(op.token, `/contacts/${intake.body.id}/history`);
      expect(history.status).toBe(200);
      expect(history.body.recognised).toBe(true);
      expect(history.body.previous.map((p: any) => p.contactId)).toEqual([second, first]);
      expect(history.body.previous.map((p: any) => p.contactId)).not.toContain(elsewhere);
      expect(history.body.previous[0]).toMatchObject({
        serviceTypes: ['psychological_support'],
        riskAssessment: 'high',
        summary: HIGH_RISK_OUTCOME.summary,
      });
      expect(Date.parse(history.body.previous[0].date)).toBeGreaterThan(0);
      expect(history.body.previous[1].followUp).toMatchObject({ status: 'scheduled' });
      expect(history.body.previous[1].aidRequests).toEqual([expect.objectContaining({ status: 'requested' })]);
      expect(history.body.openFollowUps).toHaveLength(1);
      expect(history.body.openAidRequests).toHaveLength(1);

      // while handling it, too; another operator of another district cannot see the contact at all
      expect((await c.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
      expect((await get(op.token, `/contacts/${intake.body.id}/history`)).body.previous).toHaveLength(2);
      expect((await get(w.otherOp.token, `/contacts/${intake.body.id}/history`)).status).toBe(404);
      // a contact without a number has no history
      const chat = await answeredContact(stack, w.tree, await w.newOperator(), { callerNumber: null });
      expect((await get(w.sup.token, `/contacts/${chat}/history`)).body).toMatchObject({
        recognised: false,
        previous: [],
      });
    });
  });

  describe('finding records', () => {
    it('filters, sorts and paginates with the total', async () => {
      const v = await recordsWorld(stack); // a tree of its own: only these records
      const firstDay = shanghaiDay(); // the records come in today (and tomorrow, if Shanghai's midnight passes meanwhile)
      const sup = v.sup;
      const op = v.op1;
      const a = await recordedContact(stack, v.tree, op, OUTCOME);
      const b = await recordedContact(stack, v.tree, op, AID_OUTCOME);
      const c = await recordedContact(stack, v.tree, op, HIGH_RISK_OUTCOME, { riskLevel: 'critical' });
      const open = await answeredContact(stack, v.tree, v.op2);
      const ids = async (q: string) => {
        const res = await get(sup.token, `/records?${q}`);
        expect(res.status).toBe(200);
        return res.body.items.map((r: any) => r.contactId);
      };
      expect(await ids('pageSize=100')).toEqual([open, c, b, a]); // newest first by default
      expect(await ids('pageSize=100&sort=queuedAt')).toEqual([a, b, c, open]);
      expect(await ids('status=completed&pageSize=100')).toEqual([c, b, a]);
      expect(await ids('serviceType=material_aid')).toEqual([b]);
      expect(await ids('serviceType=material_aid,psychological_support')).toEqual([c, b]);
      expect(await ids('riskAssessment=high')).toEqual([c]);
      expect(await ids('riskLevel=critical')).toEqual([c]);
      expect(await ids('highRisk=true')).toEqual([c]);
      expect(await ids('targetGroup=low_income')).toEqual([b]);
      expect(await ids('problemResolution=referred')).toEqual([c]);
      expect(await ids('aidStatus=requested')).toEqual([b]);
      expect(await ids(`operatorId=${op.id}&pageSize=100`)).toEqual([c, b, a]);
      expect(await ids(`q=${encodeURIComponent('米油')}`)).toEqual([b]);
      expect(await ids('reviewed=false&status=completed')).toEqual([c, b, a]);
      expect(await ids(`orgUnitId=${v.tree.stations.a1s2.id}`)).toEqual([]);
      expect(await ids(`orgUnitId=${v.tree.districts.a1}&status=completed`)).toEqual([c, b, a]);
      const lastDay = shanghaiDay();
      expect(await ids(`from=${firstDay}&to=${lastDay}&status=completed`)).toEqual([c, b, a]);
      const dayBefore = shanghaiDay(Date.parse(`${firstDay}T00:00:00+08:00`) - 1);
      expect(await ids(`from=2020-01-01&to=${dayBefore}`)).toEqual([]);
      expect(await ids(`from=${shanghaiDay(Date.parse(`${lastDay}T00:00:00+08:00`) + 86_400_000)}`)).toEqual([]);

      const page1 = await get(sup.token, '/records?pageSize=3&page=1');
      const page2 = await get(sup.token, '/records?pageSize=3&page=2');
      expect(page1.body).toMatchObject({ total: 4, page: 1, pageSize: 3 });
      expect(page1.body.items.map((r: any) => r.contactId)).toEqual([open, c, b]);
      expect(page2.body.items.map((r: any) => r.contactId)).toEqual([a]);
      expect(page2.body.total).toBe(4);
    });
  });
});
