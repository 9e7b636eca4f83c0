import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { ROUTING_QUEUE, RoutingJob } from '../../libs/queue/src';
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

  it('schedules the reconcile sweep, the coverage check and the nightly statistics reconciliation', async () => {
    const schedulers = await queue.getJobSchedulers();
    const byId = Object.fromEntries(schedulers.map((s) => [s.key, s]));
    expect(byId['reconcile']).toMatchObject({ every: 60000 });
    expect(byId['coverage-check']).toMatchObject({ every: 60000 });
    expect(byId['stats-reconcile']).toMatchObject({ pattern: '0 3 * * *', tz: 'Asia/Shanghai' });
  });

  it('the nightly job compares the rollups with the raw records and reports them equal', async () => {
    const job = await queue.add(RoutingJob.StatsReconcile, {}, { removeOnComplete: false });
    const deadline = Date.now() + 45_000; // a busy machine; it normally takes well under a second
    while (Date.now() < deadline && !(await job.isCompleted()) && !(await job.isFailed())) await sleep(100);
    const done = await queue.getJob(job.id!);
    expect(done?.failedReason).toBeUndefined();
    expect(done?.returnvalue).toBe(true);
    await done?.remove();
  });
});
