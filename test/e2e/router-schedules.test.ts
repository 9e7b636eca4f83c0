import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { Db } from '../../libs/database/src';
import { ROUTING_QUEUE, RoutingJob, RoutingQueue } from '../../libs/queue/src';
import { createStation } from '../support/fixtures';
import { Stack, sleep, startStack } from '../support/stack';

/** The router's periodic jobs: each is a BullMQ job scheduler, so one router runs each tick however many run. */
describe('router schedules', () => {
  let stack: Stack;
  let queue: Queue;

  beforeAll(async () => {
    stack = await startStack({ RECONCILE_INTERVAL_SECONDS: '60', COVERAGE_CHECK_SECONDS: '60' });
    queue = stack.app.get<Queue>(getQueueToken(ROUTING_QUEUE));
  });
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  /** Waits for the job to finish (a busy machine; it normally takes well under a second), then reads it back. */
  async function finished(job: Job): Promise<Job | undefined> {
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline && !(await job.isCompleted()) && !(await job.isFailed())) await sleep(100);
    return queue.getJob(job.id!);
  }

  it('schedules the reconcile sweep, the coverage check, the nightly statistics check and the overdue-aid sweep', async () => {
    const schedulers = await queue.getJobSchedulers();
    const byId = Object.fromEntries(schedulers.map((s) => [s.key, s]));
    expect(byId['reconcile']).toMatchObject({ name: 'reconcile', every: 60000 });
    expect(byId['coverage-check']).toMatchObject({ name: 'coverage-check', every: 60000 });
    expect(byId['stats-reconcile']).toMatchObject({
      name: 'stats-reconcile',
      pattern: '0 3 * * *',
      tz: 'Asia/Shanghai',
    });
    expect(byId['flag-overdue-aid']).toMatchObject({ name: 'flag-overdue-aid', every: 60000 });
    expect(byId['conversation-sweep']).toMatchObject({ name: 'conversation-sweep', every: 30000 });
    expect(byId['stats-fold']).toMatchObject({ name: 'stats-fold', every: 2000 });
  });

  it('the statistics fold runs in the router: a change written since the last fold reaches the rollups', async () => {
    const db = stack.app.get(Db);
    const st = await createStation(stack.app, 0);
    await db.run(
      `INSERT INTO contacts (hotline_id, station_id, intake_key_id, channel, queued_at)
       SELECT h.id, h.station_id, $2, 'chat', now() FROM hotlines h WHERE h.number = $1`,
      [st.hotlineNumber, st.intakeKeyId],
    );
    const job = await stack.app.get(RoutingQueue).add(RoutingJob.StatsFold, {}, { removeOnComplete: false });
    const done = await finished(job);
    expect(done?.failedReason).toBeUndefined();
    expect(typeof done?.returnvalue).toBe('number'); // (the scheduled fold may have taken it first)
    // read directly (RollupRepository's reads fold first): nothing pending, the contact in its station's day row
    expect((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM stats_pending'))!.n).toBe(0);
    const rolled = await db.one<{ n: number }>(
      `SELECT COALESCE(sum(contacts), 0)::int AS n FROM stats_line WHERE grain = 'd' AND station_id = $1`,
      [st.stationId],
    );
    expect(rolled!.n).toBe(1);
  });

  it('the conversation sweep runs in the router', async () => {
    const job = await stack.app.get(RoutingQueue).add(RoutingJob.ConversationSweep, {}, { removeOnComplete: false });
    const done = await finished(job);
    expect(done?.failedReason).toBeUndefined();
    expect(done?.returnvalue).toEqual({
      idle: expect.any(Number),
      left: expect.any(Number),
      gone: expect.any(Number),
      purged: expect.any(Number),
    });
    await done?.remove();
  });

  it('the nightly job compares the rollups with the raw records and reports them equal', async () => {
    const job = await stack.app.get(RoutingQueue).add(RoutingJob.StatsReconcile, {}, { removeOnComplete: false });
    const done = await finished(job);
    expect(done?.failedReason).toBeUndefined();
    expect(done?.returnvalue).toBe(true);
    await done?.remove();
  });

  it('the overdue-aid job runs the sweep in the router', async () => {
    const job = await stack.app.get(RoutingQueue).add(RoutingJob.FlagOverdueAid, {}, { removeOnComplete: false });
    const done = await finished(job);
    expect(done?.failedReason).toBeUndefined();
    expect(typeof done?.returnvalue).toBe('number'); // requests flagged
    await done?.remove();
  });

  it('a job no router knows fails at once, named, without retries', async () => {
    const job = await queue.add('no-such-job', {}, { removeOnFail: false });
    const done = await finished(job);
    expect(done?.failedReason).toBe('unknown routing job "no-such-job"');
    expect(done?.attemptsMade).toBe(1);
    await done?.remove();
  });

  it('a scheduler deleted from Redis is recreated by the router within seconds', async () => {
    await queue.removeJobScheduler(RoutingJob.CoverageCheck);
    const deleted = Date.now();
    const deadline = deleted + 30_000; // the router looks every 3 s; room for a busy machine
    while (Date.now() < deadline && !(await queue.getJobScheduler(RoutingJob.CoverageCheck))) await sleep(100);
    expect(await queue.getJobScheduler(RoutingJob.CoverageCheck)).toMatchObject({ every: 60000 });
  });
});
