import { readFileSync } from 'node:fs';
import { Page } from 'playwright-core';
import { Db } from '../../libs/database/src';
import { AgentClient, Stack, api, login } from '../support/stack';
import { ConsoleOrg, ConsoleRig, eventually, openPage, screenshot, signIn, startConsole } from './support';

type Outcome = Record<string, unknown>;

const OUTCOMES: Outcome[] = [
  {
    serviceTypes: ['material_aid', 'emotional_support'],
    targetGroup: 'elderly',
    summary: '独居老人米油将尽，安排送达。',
    materialAid: { items: [{ category: 'food', description: '大米 10kg', quantity: 1 }] },
    problems: [{ category: 'basic_living', resolution: 'resolved' }],
  },
  {
    serviceTypes: ['psychological_support'],
    targetGroup: 'mental_health',
    summary: '情绪低落，进行心理疏导。',
    psychological: { riskAssessment: 'medium', interventions: ['active_listening'] },
    problems: [{ category: 'emotional', resolution: 'resolved' }],
  },
  {
    serviceTypes: ['policy_consultation'],
    targetGroup: 'low_income',
    summary: '咨询低保申请流程。',
    problems: [
      { category: 'policy', resolution: 'resolved' },
      { category: 'housing', resolution: 'referred' },
    ],
  },
  {
    serviceTypes: ['resource_linking', 'emotional_support'],
    targetGroup: 'disabled',
    summary: '链接康复资源。',
    problems: [{ category: 'care', resolution: 'unresolved' }],
  },
];

// A real browser on a busy machine: each step waits up to 30 s for what it expects, so a test may take minutes.
jest.setTimeout(180_000);

/**
 * The manager's statistics in real Chromium: figures from contacts served through the API, the charts, the table,
 * the bulletin sentence, and the CSV download.
 */
describe('console: manager statistics (Chromium)', () => {
  let rig: ConsoleRig;
  let stack: Stack;
  let org: ConsoleOrg;
  let page: Page;
  let errors: string[];
  const agents: AgentClient[] = [];

  beforeAll(async () => {
    rig = await startConsole({ OFFER_TIMEOUT_SECONDS: '30' }, ['北京街社工站', '人民街社工站', '东山街社工站']);
    ({ stack, org } = rig);
    ({ page, errors } = await openPage(rig.browser));
  });
  afterAll(async () => {
    agents.forEach((a) => a.close());
    await rig?.close();
  });

  /**
   * One contact on the station's line, answered by the operator, ended and recorded; then moved `n % 12` days back
   * with realistic times (answered after 4–30 s, 3–10 minutes of talk), so the trend has a shape. The statistics
   * rollups follow such changes (their triggers fire on queued_at, answered_at, completed_at).
   */
  async function serve(agent: AgentClient, token: string, hotline: string, outcome: Outcome, n: number) {
    const res = await api(stack.url, 'POST', '/contacts', {
      key: org.intakeKey,
      body: {
        hotlineNumber: hotline,
        channel: n % 3 === 0 ? 'wechat' : 'phone',
        callerNumber: `1370000${String(1000 + n)}`,
      },
    });
    const offer = await agent.next('contact:offer', (o) => o.contact.id === res.body.id);
    expect((await agent.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    await api(stack.url, 'POST', `/contacts/${res.body.id}/end`, { key: org.intakeKey });
    const out = await api(stack.url, 'POST', `/contacts/${res.body.id}/outcome`, { token, body: outcome });
    expect(out.status).toBe(201);
    const queued = Date.now() - (n % 12) * 86_400_000 - 3_600_000 - (n % 5) * 600_000;
    const answered = queued + (4 + ((n * 11) % 27)) * 1000;
    const ended = answered + (180 + ((n * 53) % 420)) * 1000;
    const at = (ms: number) => new Date(ms).toISOString();
    await stack.app
      .get(Db)
      .run(
        `UPDATE contacts SET queued_at = $2, offered_at = $3, answered_at = $3, ended_at = $4, completed_at = $5 WHERE id = $1`,
        [res.body.id, at(queued), at(answered), at(ended), at(ended + 60_000)],
      );
  }

  it('shows the period’s figures as charts, table and bulletin, and downloads the CSV', async () => {
    const manager = await org.user('manager', org.cityId, '周建国');
    let served = 0;
    for (const [s, station] of org.stations.entries()) {
      const op = await org.user('operator', station.id, `社工${s + 1}`);
      const token = await login(stack.url, op.username);
      const agent = await AgentClient.connect(stack.url, token);
      agents.push(agent);
      await agent.available();
      for (let i = 0; i < 8 - 2 * s; i++)
        await serve(agent, token, station.hotline, OUTCOMES[(s + i) % OUTCOMES.length], served++);
      await agent.emit('presence:set', { status: 'away' });
    }
    // Callers who hang up while waiting (nobody is available any more).
    for (let i = 0; i < 3; i++) {
      const c = await api(stack.url, 'POST', '/contacts', {
        key: org.intakeKey,
        body: { hotlineNumber: org.stations[2].hotline, channel: 'phone', callerNumber: `1360000000${i}` },
      });
      expect((await api(stack.url, 'POST', `/contacts/${c.body.id}/abandon`, { key: org.intakeKey })).status).toBe(200);
    }

    await signIn(page, stack.url, manager.username, { landsOn: 'stats' });
    // The last 30 days (the default is this month, which may have begun yesterday).
    // (chosen again until the range shows it: on a busy machine a click on the opening picker can be lost, and the
    // default month would leave out the contacts moved days back)
    const start = new Date(Date.now() + 8 * 3_600_000 - 29 * 86_400_000).toISOString().slice(0, 10);
    await eventually(
      async () => {
        const input = page.getByTestId('stats-range').first();
        if ((await input.inputValue({ timeout: 5_000 })) === start) return true;
        await page.getByTestId('stats-range').first().click();
        await page.locator('.ant-picker-presets li').filter({ hasText: '最近30天' }).click({ timeout: 5_000 });
        return (await input.inputValue()) === start;
      },
      60_000,
      'the last 30 days chosen',
    );

    // Group by station: one row per station of the manager's city, with the charts drawn.
    await page.getByTestId('stats-group-by').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '按社工站' }).click();
    await page.getByTestId('stats-query').click();
    await eventually(
      async () => (await page.getByTestId('total-served').textContent()) === String(served),
      30_000,
      'the served total',
    );
    await expect(page.getByTestId('total-contacts').textContent()).resolves.toBe(String(served + 3));
    const table = page.getByTestId('stats-table');
    await eventually(
      async () => (await table.locator('tbody tr.ant-table-row').count()) === 3,
      30_000,
      'three station rows',
    );
    await expect(table.textContent()).resolves.toContain('北京街社工站');
    await page.getByTestId('trend-chart').locator('canvas').waitFor();
    await page.getByTestId('breakdown-chart').locator('canvas').waitFor();
    await eventually(
      async () => (await page.getByTestId('bulletin-sentence').textContent())?.includes('人次'),
      30_000,
      'the bulletin sentence',
    );
    await screenshot(page, 'manager-statistics');

    // The CSV, as the browser downloads it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    // For people: a Chinese file name, Chinese headings (the console's words), no id column.
    expect(download.suggestedFilename()).toMatch(/^服务统计_\d{4}-\d{2}-\d{2}至\d{4}-\d{2}-\d{2}_按社工站\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    expect(csv).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    const lines = csv.trim().split(/\r?\n/);
    const header = lines[0].split(',');
    expect(header[0]).toBe('社工站');
    for (const f of ['呼入量', '接听量', '放弃量', '服务人次', '解决问题数', '20秒接通率', '放弃率']) {
      expect(header).toContain(f);
    }
    const rows = lines.slice(1).map((l) => l.split(','));
    const col = (name: string) => header.indexOf(name);
    const beijing = rows.find((r) => r[0] === '北京街社工站')!;
    expect(Number(beijing[col('服务人次')])).toBe(8);
    const total = rows.find((r) => r[0] === '合计')!;
    expect(Number(total[col('服务人次')])).toBe(served);
    expect(Number(total[col('呼入量')])).toBe(served + 3);
    expect(Number(total[col('放弃量')])).toBe(3);
    expect(total[col('放弃率')]).toMatch(/^\d+\.\d%$/);
    expect(errors).toEqual([]);
  });
});
