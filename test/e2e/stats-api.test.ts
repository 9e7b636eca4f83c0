import ExcelJS from 'exceljs';
import { Db } from '../../libs/database/src';
import { GROUP_BYS } from '../../libs/stats/src';
import { AgentClient, Stack, api, login, startStack } from '../support/stack';
import { TestTree, createTree } from '../support/fixtures';
import {
  GenContact,
  expectFigures,
  expectedFigures,
  generateContacts,
  shanghaiDay,
} from '../integration/stats-generate';

const OUTCOME = {
  serviceTypes: ['material_aid', 'psychological_support'],
  targetGroup: 'elderly',
  summary: '独居老人缺米缺药，情绪低落；安排物资并倾听。',
  psychological: { riskAssessment: 'high', interventions: ['倾听'] },
  materialAid: { items: [{ category: 'food', description: '大米 10 斤', quantity: 1 }] },
  problems: [
    { category: 'basic_living', resolution: 'resolved' },
    { category: 'emotional', resolution: 'referred' },
  ],
};
const FIGURES = [
  'contacts',
  'answered',
  'abandoned',
  'served',
  'problemsResolved',
  'materialAidContacts',
  'psychologicalSupportContacts',
  'highRiskContacts',
  'avgSpeedOfAnswerSeconds',
  'avgHandleSeconds',
  'serviceLevel',
  'abandonmentRate',
];
const [FROM, TO] = ['2025-06-01', '2025-06-30'];

/** The statistics API over HTTP (real Postgres, Redis, gateway and router in this process). */
describe('statistics API', () => {
  let stack: Stack;
  let tree: TestTree;
  let generated: GenContact[];
  const tokens: Record<string, string> = {};
  const clients: AgentClient[] = [];
  const get = (who: string, path: string) => api(stack.url, 'GET', path, { token: tokens[who] });
  const counts = (who: string, query: string) => get(who, `/stats/service-counts?${query}`);

  beforeAll(async () => {
    stack = await startStack();
    tree = await createTree(stack.app);
    const db = stack.app.get(Db);
    const lines = [];
    for (const name of Object.keys(tree.stations) as (keyof TestTree['stations'])[]) {
      const h = await db.one<{ id: string }>('SELECT id FROM hotlines WHERE number = $1', [
        tree.stations[name].hotline,
      ]);
      lines.push({ stationId: tree.stations[name].id, hotlineId: h!.id });
    }
    let n = 0;
    generated = await generateContacts({
      db,
      lines,
      intakeKeyId: tree.intakeKeyId,
      newOperator: async () => (await tree.operator((['a1s1', 'a2s1', 'b1s1'] as const)[n++ % 3])).id,
      count: 300,
      seed: 6,
      days: ['2025-06-01', '2025-06-15', '2025-06-30', '2025-07-01'],
      leaveWaiting: false,
    });
    const people = {
      manager: await tree.user('manager', tree.cityId),
      admin: await tree.user('admin', tree.cityId),
      coordinator: await tree.user('coordinator', tree.districts.a1),
      supervisor: await tree.user('supervisor', tree.stations.a2s1.id),
      operator: await tree.operator('a1s1'),
    };
    await db.run('INSERT INTO supervisor_stations (user_id, station_id) VALUES ($1, $2)', [
      people.supervisor.id,
      tree.stations.b1s1.id,
    ]);
    for (const [who, u] of Object.entries(people)) tokens[who] = await login(stack.url, u.username);
    tokens.operatorId = people.operator.id;
  }, 120_000);
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await stack.close();
  });

  it('counts a contact taken through intake, socket and outcome, and one abandoned, today', async () => {
    const intake = () =>
      api(stack.url, 'POST', '/contacts', {
        key: tree.intakeKey,
        body: { hotlineNumber: tree.stations.a1s1.hotline, channel: 'phone', callerNumber: '13900001111' },
      });
    // the Shanghai days the contacts may fall on: today, and tomorrow too if midnight passes during the test
    const firstDay = shanghaiDay(new Date());
    const left = await intake();
    expect((await api(stack.url, 'POST', `/contacts/${left.body.id}/abandon`, { key: tree.intakeKey })).status).toBe(
      200,
    );
    const op = await AgentClient.connect(stack.url, tokens.operator);
    clients.push(op);
    await op.available();
    const created = await intake();
    const offer = await op.next('contact:offer');
    expect((await op.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    const done = await api(stack.url, 'POST', `/contacts/${created.body.id}/outcome`, {
      token: tokens.operator,
      body: OUTCOME,
    });
    expect(done.status).toBe(201);

    const lastDay = shanghaiDay(new Date());
    const res = await counts('coordinator', `from=${firstDay}&to=${lastDay}&groupBy=station`);
    expect(res.status).toBe(200);
    const row = res.body.rows.find((r: { key: string }) => r.key === tree.stations.a1s1.id);
    expect(row).toMatchObject({
      contacts: 2,
      answered: 1,
      abandoned: 1,
      served: 1,
      problemsResolved: 1,
      problemsRaised: 2,
      materialAidContacts: 1,
      psychologicalSupportContacts: 1,
      highRiskContacts: 1,
      abandonmentRate: 0.5,
    });
    expect(row.avgSpeedOfAnswerSeconds).toBeGreaterThanOrEqual(0);
    expect(row.avgSpeedOfAnswerSeconds).toBeLessThan(20);
    expect(row.serviceLevel).toBe(1); // answered within the 20 s threshold, and the abandon came before it
    const worker = await counts('coordinator', `from=${firstDay}&to=${lastDay}&groupBy=worker`);
    expect(worker.body.rows.find((r: { key: string }) => r.key === tokens.operatorId)).toMatchObject({ served: 1 });
    // records can be amended: the reconciliation still holds (admin)
    const check = await get('admin', `/stats/reconcile?from=${firstDay}&to=${lastDay}`);
    expect(check.status).toBe(200);
    expect(check.body.ok).toBe(true);
  });

  it('answers every groupBy with the contract shape, rows adding up to totals', async () => {
    const expected = expectedFigures(
      generated.filter((c) => shanghaiDay(c.queuedAt) >= FROM && shanghaiDay(c.queuedAt) <= TO),
    );
    for (const groupBy of GROUP_BYS) {
      const res = await counts('manager', `from=${FROM}&to=${TO}&groupBy=${groupBy}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ from: FROM, to: TO, groupBy, timeZone: 'Asia/Shanghai' });
      expectFigures(res.body.totals, expected, `${groupBy} totals`);
      expect(res.body.rows.length).toBeGreaterThan(0);
      for (const row of res.body.rows) {
        expect(typeof row.key).toBe('string');
        expect(typeof row.label).toBe('string');
        for (const f of FIGURES) expect(row).toHaveProperty(f);
      }
      if (groupBy !== 'serviceType') {
        const sum = (f: string) => res.body.rows.reduce((n: number, r: Record<string, number>) => n + r[f], 0);
        for (const f of ['contacts', 'answered', 'abandoned', 'served', 'problemsResolved', 'highRiskContacts']) {
          expect([groupBy, f, sum(f)]).toEqual([groupBy, f, res.body.totals[f]]);
        }
      }
    }
    const byDay = await counts('manager', `from=${FROM}&to=${TO}&groupBy=day`);
    expect(byDay.body.rows).toHaveLength(30);
    const byWeek = await counts('manager', `from=${FROM}&to=${TO}&groupBy=week`);
    expect(byWeek.body.rows[0]).toMatchObject({ key: '2025-W22', label: '2025-06-01 至 2025-06-01' });
    const byMonth = await counts('manager', `from=2025-05-20&to=2025-07-10&groupBy=month`);
    expect(byMonth.body.rows.map((r: { key: string }) => r.key)).toEqual(['2025-05', '2025-06', '2025-07']);
    expect(byMonth.body.rows[1].contacts).toBe(expected.contacts);
  });

  it('exports CSV with a header row and the same rows', async () => {
    const json = await counts('manager', `from=${FROM}&to=${TO}&groupBy=channel`);
    const res = await counts('manager', `from=${FROM}&to=${TO}&groupBy=channel&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain(`service-counts_${FROM}_${TO}_channel.csv`);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0].split(',')).toEqual(['key', 'label', ...FIGURES, 'problemsRaised']);
    expect(lines).toHaveLength(1 + 3 + 1);
    const phone = lines[1].split(',');
    expect(phone.slice(0, 3)).toEqual(['phone', '电话', String(json.body.rows[0].contacts)]);
    expect(Number(phone[1 + FIGURES.indexOf('served') + 1])).toBe(json.body.rows[0].served);
    expect(lines[4].split(',').slice(0, 3)).toEqual(['total', '合计', String(json.body.totals.contacts)]);
  });

  it('exports the CSV for people (columns=zh): Chinese headings and file name, no ids; a bad columns is a 400', async () => {
    const json = await counts('manager', `from=${FROM}&to=${TO}&groupBy=channel`);
    const res = await counts('manager', `from=${FROM}&to=${TO}&groupBy=channel&format=csv&columns=zh`);
    expect(res.status).toBe(200);
    const disposition = res.headers.get('content-disposition')!;
    expect(decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)![1])).toBe(
      `服务统计_${FROM}至${TO}_按渠道.csv`,
    );
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0].split(',').slice(0, 3)).toEqual(['渠道', '呼入量', '接听量']);
    expect(lines[1].split(',').slice(0, 2)).toEqual(['电话', String(json.body.rows[0].contacts)]);
    expect(lines[4].split(',')[0]).toBe('合计');
    const bad = await counts('manager', `from=${FROM}&to=${TO}&groupBy=channel&format=csv&columns=fr`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('columns');
  });

  it('exports Excel', async () => {
    const res = await fetch(
      `${stack.url}/api/stats/service-counts?from=${FROM}&to=${TO}&groupBy=district&format=xlsx`,
      {
        headers: { authorization: `Bearer ${tokens.manager}` },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.getWorksheet('服务统计')!;
    expect(ws.getRow(1).getCell(2).value).toBe('区');
    expect(ws.rowCount).toBe(1 + 3 + 1);
  });

  it('writes the bulletin: headline figures and the sentence to publish', async () => {
    const res = await get('manager', '/stats/bulletin?month=2025-06');
    expect(res.status).toBe(200);
    const june = expectedFigures(generated.filter((c) => shanghaiDay(c.queuedAt).startsWith('2025-06')));
    expectFigures(res.body.figures, june, 'bulletin');
    expect(res.body.figures.workerShifts).toBeGreaterThan(0);
    expect(res.body.sentence).toContain(
      `本月服务困难群众和特殊群体 ${june.served} 人次，解决问题 ${june.problemsResolved} 个`,
    );
    expect(res.body.title).toContain('2025年6月');
    expect(res.body.byServiceType).toHaveLength(7);
    const mine = await get('coordinator', '/stats/bulletin?month=2025-06');
    const a1 = [tree.stations.a1s1.id, tree.stations.a1s2.id];
    expect(mine.body.figures.served).toBe(
      generated.filter(
        (c) => a1.includes(c.stationId) && c.status === 'completed' && shanghaiDay(c.queuedAt).startsWith('2025-06'),
      ).length,
    );
  });

  it('shows each person only their part of the tree', async () => {
    const a1 = [tree.stations.a1s1.id, tree.stations.a1s2.id];
    const coord = await counts('coordinator', `from=${FROM}&to=${TO}&groupBy=station`);
    expect(coord.body.rows.map((r: { key: string }) => r.key).sort()).toEqual([...a1].sort());
    expectFigures(
      coord.body.totals,
      expectedFigures(generated.filter((c) => a1.includes(c.stationId) && shanghaiDay(c.queuedAt) <= TO)),
      'coordinator',
    );
    const districts = await counts('coordinator', `from=${FROM}&to=${TO}&groupBy=district`);
    expect(districts.body.rows.map((r: { key: string }) => r.key)).toEqual([tree.districts.a1]);
    const hotlines = await counts('coordinator', `from=${FROM}&to=${TO}&groupBy=hotline`);
    expect(hotlines.body.rows).toHaveLength(2);
    const sup = await counts('supervisor', `from=${FROM}&to=${TO}&groupBy=station`);
    expect(sup.body.rows.map((r: { key: string }) => r.key).sort()).toEqual(
      [tree.stations.a2s1.id, tree.stations.b1s1.id].sort(),
    );
    const manager = await counts('manager', `from=${FROM}&to=${TO}&groupBy=station`);
    expect(manager.body.rows).toHaveLength(4);
  });

  it('refuses operators (403) and strangers (401); reconcile is for admins', async () => {
    for (const path of [
      `/stats/service-counts?from=${FROM}&to=${TO}&groupBy=day`,
      '/stats/bulletin?month=2025-06',
      '/stats/live',
    ]) {
      expect((await get('operator', path)).status).toBe(403);
      expect((await api(stack.url, 'GET', path)).status).toBe(401);
    }
    expect((await get('manager', '/stats/reconcile?from=2025-06-01&to=2025-06-30')).status).toBe(403);
    const ok = await get('admin', '/stats/reconcile?from=2025-06-01&to=2025-07-31');
    expect(ok.body).toMatchObject({ ok: true, range: { from: '2025-06-01', to: '2025-07-31' } });
  });

  it('answers bad input with a 400 naming the field, never a 5xx', async () => {
    const bad: [string, string][] = [
      ['from=2025-02-30&to=2025-03-01&groupBy=day', 'from'],
      ['from=yesterday&to=2025-03-01&groupBy=day', 'from'],
      ['to=2025-03-01&groupBy=day', 'from'],
      ['from=2025-03-01&to=2025-3-1&groupBy=day', 'to'],
      ['from=2025-03-01&to=2025-03-02&groupBy=year', 'groupBy'],
      ['from=2025-03-01&to=2025-03-02', 'groupBy'],
      ['from=2025-03-01&to=2025-03-02&groupBy=day&format=pdf', 'format'],
      ['from=2025-03-02&to=2025-03-01&groupBy=day', 'from'],
      ['from=2022-01-01&to=2025-01-01&groupBy=month', 'to'],
      ['from=2025-03-01&from=2025-03-02&to=2025-03-02&groupBy=day', 'from'],
      ['from=%00&to=2025-03-02&groupBy=day', 'from'],
      ['from[a]=1&to=2025-03-02&groupBy=day', 'from'],
    ];
    for (const [query, field] of bad) {
      const res = await counts('manager', query);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.error).toBe('Bad Request');
      expect([query, JSON.stringify(res.body.message)]).toEqual([query, expect.stringContaining(field)]);
    }
    for (const [query, field] of [
      ['', 'month'],
      ['month=2025-13', 'month'],
      ['month=2025-6', 'month'],
      ['month=x&month=y', 'month'],
    ]) {
      const res = await get('manager', `/stats/bulletin?${query}`);
      expect([query, res.status, JSON.stringify(res.body.message)]).toEqual([
        query,
        400,
        expect.stringContaining(field),
      ]);
    }
    expect((await get('admin', '/stats/reconcile?from=2025-06-01')).status).toBe(400);
  });

  it('is documented in the OpenAPI document', async () => {
    const res = await fetch(`${stack.url}/api/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    const counts = doc.paths['/api/stats/service-counts'].get;
    expect(counts.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'columns',
      'format',
      'from',
      'groupBy',
      'to',
    ]);
    expect(counts.parameters.find((p: { name: string }) => p.name === 'groupBy').schema.enum).toContain('targetGroup');
    expect(doc.paths['/api/stats/bulletin'].get.parameters[0].name).toBe('month');
    expect(doc.paths['/api/stats/live']).toBeDefined();
  });

  it('gives the live snapshot over HTTP too', async () => {
    const res = await get('coordinator', '/stats/live');
    expect(res.status).toBe(200);
    expect(res.body.units.map((u: { orgUnitId: string }) => u.orgUnitId).sort()).toEqual(
      [tree.districts.a1, tree.stations.a1s1.id, tree.stations.a1s2.id].sort(),
    );
  });
});
