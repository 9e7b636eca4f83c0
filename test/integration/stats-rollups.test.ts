import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule, AuthUser, Role } from '../../libs/auth/src';
import { CommonModule } from '../../libs/common/src';
import { KapokConfigModule } from '../../libs/config/src';
import { DatabaseModule, Db } from '../../libs/database/src';
import { OrgModule } from '../../libs/org/src';
import {
  Bulletin,
  NO_WORKER_ID,
  RollupRepository,
  ServiceCounts,
  StatsModule,
  parseServiceCountsQuery,
} from '../../libs/stats/src';
import { TestTree, createTree, redisPrefix } from '../support/fixtures';
import { GenContact, expectFigures, expectedFigures, generateContacts, shanghai, shanghaiDay } from './stats-generate';

@Module({ imports: [KapokConfigModule, CommonModule, DatabaseModule, AuthModule, OrgModule, StatsModule] })
class StatsTestModule {}

const DAYS = ['2024-12-31', '2025-01-01', '2025-01-15', '2025-01-31', '2025-02-01'];

describe('statistics rollups (real Postgres, generated contacts)', () => {
  let app: INestApplicationContext;
  let db: Db;
  let tree: TestTree;
  let contacts: GenContact[];
  let lines: { stationId: string; hotlineId: string; name: keyof TestTree['stations'] }[];
  const as = async (role: Role, unitId: string, supervised: string[] = []): Promise<AuthUser> => {
    const u = await tree.user(role, unitId);
    if (supervised.length) {
      await db.run('INSERT INTO supervisor_stations (user_id, station_id) SELECT $1, unnest($2::uuid[])', [
        u.id,
        supervised,
      ]);
    }
    return { id: u.id, username: u.username, displayName: u.username, role, orgUnitId: unitId };
  };
  const counts = (user: AuthUser, from: string, to: string, groupBy: string) =>
    app.get(ServiceCounts).execute(user, parseServiceCountsQuery({ from, to, groupBy }));
  const inRange = (from: string, to: string, cs = contacts) =>
    cs.filter((c) => shanghaiDay(c.queuedAt) >= from && shanghaiDay(c.queuedAt) <= to);

  beforeAll(async () => {
    process.env.NODE_ENV = 'test';
    redisPrefix();
    app = await NestFactory.createApplicationContext(StatsTestModule, { logger: ['error'] });
    db = app.get(Db);
    tree = await createTree(app);
    lines = [];
    for (const name of Object.keys(tree.stations) as (keyof TestTree['stations'])[]) {
      const h = await db.one<{ id: string }>('SELECT id FROM hotlines WHERE number = $1', [
        tree.stations[name].hotline,
      ]);
      lines.push({ stationId: tree.stations[name].id, hotlineId: h!.id, name });
    }
    const ops: string[] = [];
    contacts = await generateContacts({
      db,
      lines,
      intakeKeyId: tree.intakeKeyId,
      newOperator: async () => {
        const u = await tree.operator((['a1s1', 'a1s2', 'a2s1', 'b1s1'] as const)[ops.length % 4]);
        ops.push(u.id);
        return u.id;
      },
      count: 1200,
      seed: 20250131,
      days: DAYS,
      lanes: 8,
    });
  }, 240_000);

  afterAll(async () => {
    await app.close();
  });

  it('generated what the test needs: midnight-spanning, late abandons, amended and deleted outcomes, reclaims', () => {
    const crosses = contacts.filter((c) => c.answeredAt && shanghaiDay(c.answeredAt) !== shanghaiDay(c.queuedAt));
    expect(crosses.length).toBeGreaterThan(20);
    expect(
      contacts.filter((c) => c.completedAt && shanghaiDay(c.completedAt) !== shanghaiDay(c.queuedAt)).length,
    ).toBeGreaterThan(20);
    const abandonedLate = contacts.filter(
      (c) => c.status === 'abandoned' && c.abandonedAt!.getTime() - c.queuedAt.getTime() > 20_000,
    );
    expect(abandonedLate.length).toBeGreaterThan(5);
    expect(contacts.filter((c) => c.status === 'completed' && !c.outcome).length).toBeGreaterThan(0);
    for (const s of ['queued', 'active', 'wrap_up', 'completed', 'abandoned']) {
      expect(contacts.filter((c) => c.status === s).length).toBeGreaterThan(0);
    }
  });

  it('rollups equal a recomputation from the raw records (these months, and everything)', async () => {
    const rollups = app.get(RollupRepository);
    const months = await rollups.reconcile({ from: '2024-12-01', to: '2025-02-28' });
    expect(months.tables.map((t) => [t.table, t.missing, t.unexpected])).toEqual([
      ['stats_line', 0, 0],
      ['stats_worker', 0, 0],
      ['stats_target', 0, 0],
      ['stats_service', 0, 0],
    ]);
    expect(months.ok).toBe(true);
    expect(months.tables[0].expectedRows).toBeGreaterThan(40);
    const all = await rollups.reconcile();
    expect(all.ok).toBe(true);
  });

  it('a drifted rollup is caught by the check, and a rebuild repairs it', async () => {
    const rollups = app.get(RollupRepository);
    try {
      await db.run(
        `UPDATE stats_line SET served = served + 1
          WHERE ctid = (SELECT ctid FROM stats_line WHERE grain = 'd' AND period = '2025-01-15' AND station_id = $1 LIMIT 1)`,
        [tree.stations.a1s1.id],
      );
      const drift = await rollups.reconcile({ from: '2025-01-01', to: '2025-01-31' });
      expect(drift.ok).toBe(false);
      expect(drift.tables[0]).toMatchObject({ table: 'stats_line', missing: 1, unexpected: 1 });
      expect(drift.tables[0].samples.map((s) => s.side).sort()).toEqual(['actual', 'expected']);
    } finally {
      await rollups.rebuild();
    }
    expect((await rollups.reconcile()).ok).toBe(true);
  });

  it('service counts by day, month and in total equal the figures computed from the contacts themselves', async () => {
    const manager = await as('manager', tree.cityId);
    const byDay = await counts(manager, '2024-12-31', '2025-02-01', 'day');
    expect(byDay.rows).toHaveLength(33);
    for (const row of byDay.rows) expectFigures(row, expectedFigures(inRange(row.key, row.key)), row.key);
    expectFigures(byDay.totals, expectedFigures(contacts), 'totals');

    // whole months come from month rows, loose days from day rows
    const byMonth = await counts(manager, '2024-12-01', '2025-02-28', 'month');
    expect(byMonth.rows.map((r) => r.key)).toEqual(['2024-12', '2025-01', '2025-02']);
    expectFigures(byMonth.rows[0], expectedFigures(inRange('2024-12-01', '2024-12-31')), 'Dec');
    expectFigures(byMonth.rows[1], expectedFigures(inRange('2025-01-01', '2025-01-31')), 'Jan');
    expectFigures(byMonth.totals, expectedFigures(contacts), 'totals');
    const loose = await counts(manager, '2024-12-15', '2025-02-01', 'month');
    expectFigures(loose.totals, expectedFigures(inRange('2024-12-15', '2025-02-01')), 'mixed');
    const across = await counts(manager, '2025-01-31', '2025-02-01', 'week');
    expect(across.rows.map((r) => r.key)).toEqual(['2025-W05']);
    expectFigures(across.rows[0], expectedFigures(inRange('2025-01-31', '2025-02-01')), 'week');
  });

  it('every other groupBy splits the same contacts the same way', async () => {
    const manager = await as('manager', tree.cityId);
    const [from, to] = ['2025-01-01', '2025-01-31'];
    const jan = inRange(from, to);
    const station = await counts(manager, from, to, 'station');
    expect(station.rows.map((r) => r.key).sort()).toEqual(lines.map((l) => l.stationId).sort());
    for (const row of station.rows)
      expectFigures(row, expectedFigures(jan.filter((c) => c.stationId === row.key)), row.label);

    const district = await counts(manager, from, to, 'district');
    expect(district.rows.map((r) => r.key)).toEqual([tree.districts.a1, tree.districts.a2, tree.districts.b1]); // by name
    const a1 = [tree.stations.a1s1.id, tree.stations.a1s2.id];
    expectFigures(district.rows[0], expectedFigures(jan.filter((c) => a1.includes(c.stationId))), 'a1');

    const region = await counts(manager, from, to, 'region');
    expect(region.rows.map((r) => r.key)).toEqual([tree.regions.a, tree.regions.b]);
    expectFigures(region.rows[1], expectedFigures(jan.filter((c) => c.stationId === tree.stations.b1s1.id)), 'b');

    const hotline = await counts(manager, from, to, 'hotline');
    for (const row of hotline.rows)
      expectFigures(row, expectedFigures(jan.filter((c) => c.hotlineId === row.key)), row.label);
    expect(hotline.rows[0].label).toContain('T-');

    const channel = await counts(manager, from, to, 'channel');
    expect(channel.rows.map((r) => [r.key, r.label])).toEqual([
      ['phone', '电话'],
      ['chat', '在线咨询'],
      ['wechat', '微信'],
    ]);
    for (const row of channel.rows)
      expectFigures(row, expectedFigures(jan.filter((c) => c.channel === row.key)), row.key);

    const target = await counts(manager, from, to, 'targetGroup');
    for (const row of target.rows) {
      const expected = jan.filter((c) => (c.outcome?.targetGroup ?? 'none') === row.key);
      expectFigures(row, expectedFigures(expected), row.key);
    }
    expect(target.rows.at(-1)!.key).toBe('none');

    const service = await counts(manager, from, to, 'serviceType');
    for (const row of service.rows) {
      const expected = jan.filter((c) => (c.outcome ? c.outcome.serviceTypes.includes(row.key) : row.key === 'none'));
      expectFigures(row, expectedFigures(expected), row.key);
    }
    expect(service.rows.find((r) => r.key === 'material_aid')!.label).toBe('基本生活物资保障');

    const worker = await counts(manager, from, to, 'worker');
    for (const row of worker.rows) {
      const expected = jan.filter((c) => (c.answeredAt ? c.workerId : 'none') === row.key);
      expectFigures(row, expectedFigures(expected), row.label);
    }
    expect(worker.rows.at(-1)).toMatchObject({ key: 'none', label: '未接听' });

    // every grouping but serviceType adds up to the totals
    for (const r of [station, district, region, hotline, channel, target, worker]) {
      expect(r.rows.reduce((n, x) => n + x.contacts, 0)).toBe(jan.length);
      expect(r.rows.reduce((n, x) => n + x.served, 0)).toBe(r.totals.served);
    }
  });

  it('a contact answered after midnight counts on the Shanghai day it arrived', async () => {
    const line = lines[0];
    const op = await tree.operator('a1s1');
    const queuedAt = shanghai('2025-03-31T23:59:50.250');
    const { id } = (await db.one<{ id: string }>(
      `INSERT INTO contacts (hotline_id, station_id, intake_key_id, channel, queued_at) VALUES ($1, $2, $3, 'phone', $4) RETURNING id`,
      [line.hotlineId, line.stationId, tree.intakeKeyId, queuedAt],
    ))!;
    await db.run(`UPDATE contacts SET status = 'offered', assigned_worker_id = $2, offered_at = $3 WHERE id = $1`, [
      id,
      op.id,
      shanghai('2025-03-31T23:59:59'),
    ]);
    await db.run(`UPDATE contacts SET status = 'active', answered_at = $2 WHERE id = $1`, [
      id,
      shanghai('2025-04-01T00:00:12.250'),
    ]);
    await db.tx(async (tx) => {
      await db.run(
        `INSERT INTO outcomes (contact_id, worker_id, service_types, target_group, summary, problems)
         VALUES ($1, $2, '{material_aid}', 'elderly', '夜间来电', '[{"category":"food","resolution":"resolved"}]')`,
        [id, op.id],
        tx,
      );
      await db.run(
        `UPDATE contacts SET status = 'completed', completed_at = $2, ended_at = $2 WHERE id = $1`,
        [id, shanghai('2025-04-01T00:10:12.250')],
        tx,
      );
    });
    const manager = await as('manager', tree.cityId);
    const res = await counts(manager, '2025-03-31', '2025-04-01', 'day');
    expect(res.rows[0]).toMatchObject({
      key: '2025-03-31',
      contacts: 1,
      answered: 1,
      served: 1,
      avgSpeedOfAnswerSeconds: 22,
      avgHandleSeconds: 600,
      serviceLevel: 0,
      problemsResolved: 1,
      materialAidContacts: 1,
    });
    expect(res.rows[1]).toMatchObject({ key: '2025-04-01', contacts: 0, answered: 0, served: 0, serviceLevel: null });
    const april = await counts(manager, '2025-04-01', '2025-04-30', 'month');
    expect(april.totals.contacts).toBe(0);

    // the record is amended: its figures move with it, in the same transaction
    await db.run(
      `UPDATE outcomes SET service_types = '{psychological_support,psychological_support}', psychological = '{"riskAssessment":"imminent"}',
              problems = '[{"category":"mood","resolution":"resolved"},{"category":"x","resolution":"resolved"}]',
              target_group = 'mental_health'
        WHERE contact_id = $1`,
      [id],
    );
    const after = await counts(manager, '2025-03-31', '2025-03-31', 'targetGroup');
    expect(after.totals).toMatchObject({
      materialAidContacts: 0,
      psychologicalSupportContacts: 1,
      highRiskContacts: 1,
      problemsResolved: 2,
    });
    expect(after.rows.find((r) => r.key === 'mental_health')!.served).toBe(1);
    expect(after.rows.find((r) => r.key === 'elderly')!.served).toBe(0);
    const types = await counts(manager, '2025-03-31', '2025-03-31', 'serviceType');
    expect(types.rows.find((r) => r.key === 'psychological_support')!.contacts).toBe(1); // a repeated type counts once
    expect((await app.get(RollupRepository).reconcile({ from: '2025-03-01', to: '2025-04-30' })).ok).toBe(true);
  });

  it('a rolled-back transaction counts nothing; the next one on the same connection counts', async () => {
    const line = lines[1];
    const insert = (tx: Parameters<Parameters<Db['tx']>[0]>[0], at: string) =>
      db.run(
        `INSERT INTO contacts (hotline_id, station_id, intake_key_id, channel, queued_at) VALUES ($1, $2, $3, 'chat', $4)`,
        [line.hotlineId, line.stationId, tree.intakeKeyId, shanghai(at)],
        tx,
      );
    await expect(
      db.tx(async (tx) => {
        await insert(tx, '2025-05-10T10:00:00');
        await insert(tx, '2025-05-10T11:00:00');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const manager = await as('manager', tree.cityId);
    expect((await counts(manager, '2025-05-10', '2025-05-10', 'day')).totals.contacts).toBe(0);
    await db.tx(async (tx) => {
      await insert(tx, '2025-05-10T12:00:00');
      await insert(tx, '2025-05-10T23:59:59.999');
    });
    expect((await counts(manager, '2025-05-10', '2025-05-10', 'day')).totals.contacts).toBe(2);
    expect((await app.get(RollupRepository).reconcile({ from: '2025-05-01', to: '2025-05-31' })).ok).toBe(true);
  });

  it('changes wait in stats_pending until folded; a read folds first; the check holds while writers commit', async () => {
    const line = lines[2];
    const insert = (at: string) =>
      db.run(
        `INSERT INTO contacts (hotline_id, station_id, intake_key_id, channel, queued_at) VALUES ($1, $2, $3, 'phone', $4)`,
        [line.hotlineId, line.stationId, tree.intakeKeyId, shanghai(at)],
      );
    const pending = async () => (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM stats_pending'))!.n;
    await insert('2025-06-01T08:00:00');
    await insert('2025-06-01T09:00:00');
    expect(await pending()).toBeGreaterThanOrEqual(2); // committed, not yet in the rollups (no router here)
    const manager = await as('manager', tree.cityId);
    expect((await counts(manager, '2025-06-01', '2025-06-01', 'day')).totals.contacts).toBe(2);
    expect(await pending()).toBe(0);
    // writers commit while the check runs: it compares one snapshot, rollups and what is pending together
    const writing = Promise.all(
      Array.from({ length: 30 }, (_, k) => insert(`2025-06-02T10:00:${String(k).padStart(2, '0')}`)),
    );
    const during = await app.get(RollupRepository).reconcile({ from: '2025-06-01', to: '2025-06-30' });
    await writing;
    expect(during.ok).toBe(true);
    expect((await counts(manager, '2025-06-01', '2025-06-30', 'day')).totals.contacts).toBe(32);
    expect((await app.get(RollupRepository).reconcile({ from: '2025-06-01', to: '2025-06-30' })).ok).toBe(true);
  });

  it('each person sees only their part of the tree', async () => {
    const [from, to] = ['2024-12-31', '2025-02-01'];
    const coordinator = await as('coordinator', tree.districts.a1);
    const a1 = [tree.stations.a1s1.id, tree.stations.a1s2.id];
    const mine = await counts(coordinator, from, to, 'station');
    expect(mine.rows.map((r) => r.key).sort()).toEqual([...a1].sort());
    expectFigures(mine.totals, expectedFigures(contacts.filter((c) => a1.includes(c.stationId))), 'coordinator');
    const districts = await counts(coordinator, from, to, 'district');
    expect(districts.rows.map((r) => r.key)).toEqual([tree.districts.a1]);
    const workers = await counts(coordinator, from, to, 'worker');
    const theirs = new Set(contacts.filter((c) => a1.includes(c.stationId) && c.answeredAt).map((c) => c.workerId));
    for (const row of workers.rows) if (row.key !== 'none') expect(theirs.has(row.key)).toBe(true);

    const supervisor = await as('supervisor', tree.stations.a2s1.id, [tree.stations.b1s1.id]);
    const supervised = await counts(supervisor, from, to, 'station');
    expect(supervised.rows.map((r) => r.key).sort()).toEqual([tree.stations.a2s1.id, tree.stations.b1s1.id].sort());
    expect(supervised.scope.name).toContain('督导');

    const manager = await as('manager', tree.cityId);
    expect((await counts(manager, from, to, 'station')).rows).toHaveLength(4);
    const elsewhere = await as('manager', (await createTree(app)).cityId);
    expect((await counts(elsewhere, from, to, 'station')).totals.contacts).toBe(0);
  });

  it('the bulletin states the month in figures and in a sentence to publish', async () => {
    const manager = await as('manager', tree.cityId);
    const b = await app.get(Bulletin).execute(manager, '2025-01', '2025-01-01');
    const jan = inRange('2025-01-01', '2025-01-31');
    const expected = expectedFigures(jan);
    expectFigures(b.figures, expected, 'bulletin');
    const shifts = new Set(jan.filter((c) => c.answeredAt).map((c) => `${shanghaiDay(c.queuedAt)}|${c.workerId}`));
    expect(b.figures.workerShifts).toBe(shifts.size);
    expect(b.sentence).toContain(
      `本月服务困难群众和特殊群体 ${expected.served} 人次，解决问题 ${expected.problemsResolved} 个`,
    );
    expect(b.sentence).toContain(`投入接线服务社工 ${shifts.size} 人次`);
    expect(b.title).toContain('2025年1月');
    expect(b.previousMonth).toMatchObject({
      month: '2024-12',
      served: expectedFigures(inRange('2024-12-01', '2024-12-31')).served,
    });
    expect(b.byServiceType.find((s) => s.key === 'psychological_support')!.contacts).toBe(
      expected.psychologicalSupportContacts,
    );
    expect(NO_WORKER_ID).toMatch(/^0{8}-/);
  });
});
