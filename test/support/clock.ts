import { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { Clock, dayEnd, shanghaiDay as calendarDay } from '../../libs/common/src';
import { Db } from '../../libs/database/src';
import { ROUTING_QUEUE } from '../../libs/queue/src';

/**
 * Time under the test's control, so that nothing waits for a wall clock and nothing depends on how busy the
 * machine is. Two ways, both running the product's own jobs, handlers and checks:
 * - with a ControllableClock given to the stack (startStack(env, { clock })), the product's time stands still and
 *   moves only when the test moves it; `runDueTimers` then runs the contact's rule timers that fell due;
 * - with any clock, a deadline (an offer's expiry, a follow-up's due time, the reconnect grace) is moved into the
 *   product's past in Postgres, which is the truth every handler re-reads, and the product's own delayed BullMQ job
 *   for it is run now instead of at its time.
 */

/**
 * The product's Clock in a test: it stands still where it was set (the wall clock when made) and moves only by
 * `advance` or `set`. Every time routing decides by (queued_at, offers, reservations, idle and disconnect times) is
 * written and compared on this clock (docs/routing.md, "Time"), so a rule that depends on time is decided exactly at
 * the instants the test chooses. (The product's delayed jobs still fire by real time; they re-read the clock and act
 * only on what it says, and `runDueTimers` runs those that fell due when the clock moved.)
 */
export class ControllableClock extends Clock {
  private at: number;

  constructor(at: Date | number = Date.now()) {
    super();
    this.at = new Date(at).getTime();
  }

  override now(): Date {
    return new Date(this.at);
  }

  advance(ms: number): void {
    this.at += ms;
  }

  set(at: Date | number): void {
    this.at = new Date(at).getTime();
  }
}

/** The app's Clock (the real one, or the test's ControllableClock). */
const clockOf = (app: INestApplicationContext) => app.get(Clock);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The routing queue of this app or context. */
export const routingQueue = (app: INestApplicationContext) => app.get<Queue>(getQueueToken(ROUTING_QUEUE));

/**
 * The product's delayed job with this id, once it exists (an offer reaches the operator's socket just before its
 * expiry job is added, so the test may look for it a moment early).
 */
export async function delayedJob(app: INestApplicationContext, jobId: string, timeoutMs = 15_000): Promise<Job> {
  const queue = routingQueue(app);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(jobId);
    if (job) return job;
    if (Date.now() > deadline) throw new Error(`no job ${jobId} in the routing queue after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Runs a delayed job now (BullMQ's promote), unless it has already left the delayed set. */
async function promote(job: Job): Promise<void> {
  if (!(await job.isDelayed())) return;
  await job.promote().catch(async (err) => {
    if (await job.isDelayed()) throw err; // it moved on by itself meanwhile: nothing to do
  });
}

/**
 * The offer's time is up now: its `expires_at` is moved into the (product's clock's) past and its expiry job
 * (`expire-<offerId>`) runs at once, in the router, as it would at the end of the offer timeout.
 */
export async function expireOfferNow(app: INestApplicationContext, offerId: string): Promise<void> {
  const job = await delayedJob(app, `expire-${offerId}`);
  const moved = await app
    .get(Db)
    .one(
      `UPDATE offers SET expires_at = $2::timestamptz - interval '1 second' WHERE id = $1 AND status = 'open' RETURNING id`,
      [offerId, clockOf(app).now()],
    );
  if (!moved) throw new Error(`offer ${offerId} is not open`);
  await promote(job);
}

/** The follow-up is due now: `due_at` moved to now and its job (`follow-up-<id>`) run at once. */
export async function followUpDueNow(app: INestApplicationContext, followUpId: string): Promise<void> {
  const job = await delayedJob(app, `follow-up-${followUpId}`);
  const moved = await app
    .get(Db)
    .one(`UPDATE follow_ups SET due_at = $2 WHERE id = $1 AND status = 'scheduled' RETURNING id`, [
      followUpId,
      clockOf(app).now(),
    ]);
  if (!moved) throw new Error(`follow-up ${followUpId} is not scheduled`);
  await promote(job);
}

/**
 * The operator's sockets all dropped `seconds` ago (their `disconnected_at`, set when the last socket closed, moved
 * back). Waits for the disconnect to be recorded first: the server handles a closed socket asynchronously.
 */
export async function disconnectedFor(app: INestApplicationContext, userId: string, seconds: number): Promise<void> {
  const db = app.get(Db);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const moved = await db.one(
      `UPDATE agent_states SET disconnected_at = $3::timestamptz - make_interval(secs => $2)
        WHERE user_id = $1 AND disconnected_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM agent_sessions s WHERE s.user_id = $1)
        RETURNING user_id`,
      [userId, seconds, clockOf(app).now()],
    );
    if (moved) return;
    if (Date.now() > deadline) throw new Error(`the sockets of ${userId} were not recorded as closed`);
    await sleep(25);
  }
}

/** The Asia/Shanghai calendar day of an instant (the wall clock's by default), as YYYY-MM-DD. */
export const shanghaiDay = (at: Date | number = Date.now()) => calendarDay(new Date(at));

/**
 * For the few checks about "today" that cannot take a range of days (the live board's answered-today counts, on the
 * wall clock): if Asia/Shanghai midnight falls within the next `ms`, waits until it has passed, so the test runs
 * within one day.
 */
export async function clearOfShanghaiMidnight(ms: number): Promise<void> {
  const now = Date.now();
  const toMidnight = dayEnd(shanghaiDay(now)).getTime() - now;
  if (toMidnight < ms) await sleep(toMidnight + 1000);
}

/**
 * Runs now the contact's rule timers (`timer-<contactId>-<ms>`: an overflow step, the skill relaxation, the end of a
 * reservation) whose moment the product's clock has reached, as they would have run at that moment. Returns how
 * many. The product schedules each moment once, with the delay its clock gives; a timer that real time fires
 * before the standing clock reaches its moment does nothing and is gone. So a test runs a contact's timers only
 * where its next moment is still a full step ahead (on a moment it passes, not a millisecond short of the next):
 * then no timer is left to fire early while the test looks.
 */
export async function runDueTimers(app: INestApplicationContext, contactId: string): Promise<number> {
  const now = clockOf(app).now().getTime();
  const prefix = `timer-${contactId}-`;
  let ran = 0;
  for (const job of await routingQueue(app).getDelayed()) {
    if (!job.id?.startsWith(prefix) || Number(job.id.slice(prefix.length)) > now) continue;
    await promote(job);
    ran++;
  }
  return ran;
}

/**
 * Waits until the router has handled every trigger sent so far (no routing job waiting or running; delayed jobs,
 * the timers of later moments, do not count). For tests whose next step must not race a trigger still queued, such
 * as an operator's "available" being matched before the next contact arrives.
 */
export async function routerSettled(app: INestApplicationContext, timeoutMs = 15_000): Promise<void> {
  const queue = routingQueue(app);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('wait', 'active', 'prioritized');
    if (counts.wait + counts.active + counts.prioritized === 0) return;
    if (Date.now() > deadline)
      throw new Error(`the router is still busy after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    await sleep(20);
  }
}
