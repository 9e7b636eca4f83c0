import { Stack, startStack, sleep } from '../support/stack';
import {
  AID_OUTCOME,
  HIGH_RISK_OUTCOME,
  OUTCOME,
  RecordsWorld,
  answeredContact,
  api,
  count,
  inFuture,
  messageOf,
  recordedContact,
  recordsWorld,
} from './records.support';

/**
 * The outcome record's rules at the public surface: each bad body is a 400 whose message names the field, and
 * nothing at all is written (no outcome, version, problem, aid request, follow-up, audit row; the contact keeps
 * its state). The same rules hold for an amendment.
 */
describe('service records: validation (HTTP, real Postgres)', () => {
  let stack: Stack;
  let w: RecordsWorld;

  beforeAll(async () => {
    stack = await startStack();
    w = await recordsWorld(stack);
  });
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  /** Everything a recorded outcome writes, for one contact. */
  const written = async (contactId: string) => ({
    outcomes: await count(stack, 'outcomes WHERE contact_id = $1', [contactId]),
    versions: await count(stack, 'outcome_versions WHERE contact_id = $1', [contactId]),
    problems: await count(stack, 'record_problems WHERE contact_id = $1', [contactId]),
    aid: await count(stack, 'aid_requests WHERE contact_id = $1', [contactId]),
    followUps: await count(stack, 'follow_ups WHERE source_contact_id = $1', [contactId]),
    audit: await count(stack, 'audit_log WHERE contact_id = $1', [contactId]),
    active: await count(stack, `contacts WHERE id = $1 AND status = 'active'`, [contactId]),
  });
  const NOTHING = { outcomes: 0, versions: 0, problems: 0, aid: 0, followUps: 0, audit: 0, active: 1 };

  const mat = AID_OUTCOME.materialAid;
  const item = mat.items[0];
  const cases: [string, Record<string, unknown>, string][] = [
    ['no service type', { ...OUTCOME, serviceTypes: [] }, 'serviceTypes'],
    ['serviceTypes missing', { ...OUTCOME, serviceTypes: undefined }, 'serviceTypes'],
    ['an unknown service type', { ...OUTCOME, serviceTypes: ['tea'] }, 'serviceTypes'],
    ['an unknown target group', { ...OUTCOME, targetGroup: 'aliens' }, 'targetGroup'],
    ['an empty summary', { ...OUTCOME, summary: '' }, 'summary'],
    ['psychological support without its block', { ...HIGH_RISK_OUTCOME, psychological: undefined }, 'psychological'],
    [
      'an unknown risk assessment',
      { ...HIGH_RISK_OUTCOME, psychological: { riskAssessment: 'extreme', interventions: [] } },
      'psychological.riskAssessment',
    ],
    ['material aid without items', { ...AID_OUTCOME, materialAid: undefined }, 'materialAid'],
    ['an empty item list', { ...AID_OUTCOME, materialAid: { items: [] } }, 'materialAid.items'],
    [
      'a zero quantity',
      { ...AID_OUTCOME, materialAid: { items: [{ ...item, quantity: 0 }] } },
      'materialAid.items.0.quantity',
    ],
    [
      'a negative quantity',
      { ...AID_OUTCOME, materialAid: { items: [item, { ...item, quantity: -3 }] } },
      'materialAid.items.1.quantity',
    ],
    [
      'a quantity as text',
      { ...AID_OUTCOME, materialAid: { items: [{ ...item, quantity: '2' }] } },
      'materialAid.items.0.quantity',
    ],
    [
      'an unknown aid category',
      { ...AID_OUTCOME, materialAid: { items: [{ ...item, category: 'gold' }] } },
      'materialAid.items.0.category',
    ],
    [
      'a delivering station that is no id',
      { ...AID_OUTCOME, materialAid: { ...mat, deliveringStationId: 'x' } },
      'materialAid.deliveringStationId',
    ],
    ['problems missing', { ...OUTCOME, problems: undefined }, 'problems'],
    [
      'an unknown resolution',
      { ...OUTCOME, problems: [{ category: 'x', resolution: 'maybe' }] },
      'problems.0.resolution',
    ],
    ['a follow-up due in the past', { ...OUTCOME, followUp: { dueAt: inFuture(-1), note: '回访' } }, 'followUp.dueAt'],
    ['a follow-up due at no date', { ...OUTCOME, followUp: { dueAt: 'tomorrow', note: '回访' } }, 'followUp.dueAt'],
    ['an unknown field', { ...OUTCOME, rating: 5 }, 'rating'],
  ];

  it.each(cases)('%s → 400 naming the field, nothing written', async (_name, body, field) => {
    const op = await w.newOperator();
    const id = await answeredContact(stack, w.tree, op);
    const res = await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token: op.token, body });
    expect(res.status).toBe(400);
    expect(messageOf(res)).toContain(field);
    expect(await written(id)).toEqual(NOTHING);
  });

  it('a delivering station that is not a station (a district, an unknown id) → 400 naming it, nothing written', async () => {
    for (const deliveringStationId of [w.tree.districts.a1, '00000000-0000-4000-8000-000000000000']) {
      const op = await w.newOperator();
      const id = await answeredContact(stack, w.tree, op);
      const body = { ...AID_OUTCOME, materialAid: { ...mat, deliveringStationId } };
      const res = await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token: op.token, body });
      expect(res.status).toBe(400);
      expect(messageOf(res)).toContain('materialAid.deliveringStationId');
      expect(await written(id)).toEqual(NOTHING);
    }
  });

  it('after all those refusals the same contact takes a valid outcome (201), with everything written once', async () => {
    const op = await w.newOperator();
    const id = await answeredContact(stack, w.tree, op);
    const bad = await api(stack.url, 'POST', `/contacts/${id}/outcome`, {
      token: op.token,
      body: { ...AID_OUTCOME, materialAid: { items: [{ ...item, quantity: 0 }] } },
    });
    expect(bad.status).toBe(400);
    const body = { ...AID_OUTCOME, followUp: { dueAt: inFuture(48), note: '确认送达' } };
    const ok = await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token: op.token, body });
    expect(ok.status).toBe(201);
    expect(await written(id)).toEqual({
      outcomes: 1,
      versions: 1,
      problems: 1,
      aid: 1,
      followUps: 1,
      audit: 1,
      active: 0,
    });
  });

  describe('an amendment follows the same rules', () => {
    const amendCases: [string, Record<string, unknown>, string][] = [
      ['no service type', { ...OUTCOME, serviceTypes: [] }, 'serviceTypes'],
      [
        'a zero quantity',
        { ...AID_OUTCOME, materialAid: { items: [{ ...item, quantity: 0 }] } },
        'materialAid.items.0.quantity',
      ],
      ['psychological support without its block', { ...HIGH_RISK_OUTCOME, psychological: undefined }, 'psychological'],
      [
        'a follow-up (they have their own endpoints)',
        { ...OUTCOME, followUp: { dueAt: inFuture(5), note: 'x' } },
        'followUp',
      ],
      ['an expectedVersion of 0', { ...OUTCOME, expectedVersion: 0 }, 'expectedVersion'],
      [
        'a district as delivering station',
        { ...AID_OUTCOME, materialAid: { ...mat, deliveringStationId: 'DISTRICT' } },
        'materialAid.deliveringStationId',
      ],
    ];
    it.each(amendCases)('%s → 400 naming the field, the record unchanged', async (_name, body, field) => {
      const id = await recordedContact(stack, w.tree, w.op1);
      const fixed = JSON.parse(JSON.stringify(body).replace('DISTRICT', w.tree.districts.a1));
      const res = await api(stack.url, 'PUT', `/records/${id}`, { token: w.op1.token, body: fixed });
      expect(res.status).toBe(400);
      expect(messageOf(res)).toContain(field);
      expect(await count(stack, 'outcome_versions WHERE contact_id = $1', [id])).toBe(1);
      expect(await count(stack, `outcomes WHERE contact_id = $1 AND version = 1`, [id])).toBe(1);
      expect(await count(stack, `audit_log WHERE contact_id = $1 AND action = 'record.amend'`, [id])).toBe(0);
    });
  });

  it('bad filters, ids and step bodies are 400 naming the field', async () => {
    const t = w.sup.token;
    const checks: [string, string, string, unknown?][] = [
      ['GET', '/records?serviceType=tea', 'serviceType'],
      ['GET', '/records?from=2026-02-30', 'from'],
      ['GET', '/records?to=yesterday', 'to'],
      ['GET', '/records?pageSize=1000', 'pageSize'],
      ['GET', '/records?page=abc', 'page'],
      ['GET', '/records?reviewed=maybe', 'reviewed'],
      ['GET', '/records?sort=summary', 'sort'],
      ['GET', '/records?orgUnitId=1', 'orgUnitId'],
      ['GET', '/records?limit=5', 'limit'],
      ['GET', '/records?q=%00', 'q'],
      ['GET', `/records?q=${'x'.repeat(300)}`, 'q'],
      ['GET', '/contacts/00000000-0000-4000-8000-000000000000/caller-number?reason=a%00b', 'reason'],
      ['GET', '/records?status=completed,bogus', 'status'],
      ['GET', '/aid-requests?status=lost', 'status'],
      ['GET', '/follow-ups?workerId=bob', 'workerId'],
      ['GET', '/audit-log?action=delete', 'action'],
      ['GET', '/records/not-a-uuid', 'uuid'],
      ['POST', '/aid-requests/00000000-0000-4000-8000-000000000000/cancel', 'reason', {}],
      ['POST', '/aid-requests/00000000-0000-4000-8000-000000000000/cancel', 'reason', { reason: '   ' }],
      ['POST', '/records/00000000-0000-4000-8000-000000000000/review', 'comment', { comment: '' }],
      ['POST', '/follow-ups/00000000-0000-4000-8000-000000000000/complete', 'contactId', { contactId: 'x' }],
    ];
    for (const [method, path, field, body] of checks) {
      const token = path.startsWith('/audit') ? w.admin.token : t;
      const res = await api(stack.url, method, path, { token, body });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(messageOf(res)).toContain(field);
    }
  });

  it('every records endpoint is in the OpenAPI document, with examples', async () => {
    const res = await api(stack.url, 'GET', '/docs-json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, any>>;
    const expected: [string, string][] = [
      ['/api/records', 'get'],
      ['/api/records/review-queue', 'get'],
      ['/api/records/{contactId}', 'get'],
      ['/api/records/{contactId}', 'put'],
      ['/api/records/{contactId}/review', 'post'],
      ['/api/contacts/{id}/history', 'get'],
      ['/api/contacts/{id}/caller-number', 'get'],
      ['/api/aid-requests', 'get'],
      ['/api/aid-requests/{id}', 'get'],
      ['/api/aid-requests/{id}/arrange', 'post'],
      ['/api/aid-requests/{id}/deliver', 'post'],
      ['/api/aid-requests/{id}/cancel', 'post'],
      ['/api/follow-ups', 'get'],
      ['/api/follow-ups/{id}/complete', 'post'],
      ['/api/audit-log', 'get'],
    ];
    for (const [path, method] of expected) {
      const op = paths[path]?.[method];
      expect({ path, method, documented: !!op }).toEqual({ path, method, documented: true });
      expect(op.responses['200'].content['application/json'].schema.example).toBeDefined();
    }
    const amend = paths['/api/records/{contactId}'].put.requestBody.content['application/json'];
    expect(amend.examples.amendment.value.reason).toBeDefined();
    const schemas = res.body.components.schemas;
    expect(schemas.AmendRecordDto.properties).not.toHaveProperty('followUp');
    expect(schemas.MaterialAidDto.properties).toHaveProperty('deliveringStationId');
  });
});
