import { Clock } from '@kapok/common';
import { RATE_LIMITED_ACK, SocketEventLimiter } from './socket-event-limiter';

/** A clock the test moves by hand. */
class ManualClock extends Clock {
  ms = Date.UTC(2030, 0, 1);
  override now(): Date {
    return new Date(this.ms);
  }
}

describe('SocketEventLimiter', () => {
  it('lets a burst through, then refills at the rate', () => {
    const clock = new ManualClock();
    const bucket = new SocketEventLimiter(clock).bucket({ perSecond: 2, burst: 3 });
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    clock.ms += 499;
    expect(bucket.take()).toBe(false);
    clock.ms += 1;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    clock.ms += 60_000; // never more than the burst after a long pause
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('as socket middleware: events over the rate are not handled and their ack says rate_limited', () => {
    const clock = new ManualClock();
    const limiter = new SocketEventLimiter(clock);
    const mw = limiter.middleware({ perSecond: 1, burst: 1 });
    const handled: unknown[] = [];
    const acks: unknown[] = [];
    const ack = (a: unknown) => acks.push(a);
    mw(['state:get', ack], (err) => handled.push(err ?? 'next'));
    mw(['state:get', ack], (err) => handled.push(err ?? 'next'));
    mw(['presence:set', { status: 'away' }], (err) => handled.push(err ?? 'next')); // no ack asked: dropped
    expect(handled).toEqual(['next']);
    expect(acks).toEqual([RATE_LIMITED_ACK]);
    // each socket has its own bucket
    const other = limiter.middleware({ perSecond: 1, burst: 1 });
    other(['state:get', ack], (err) => handled.push(err ?? 'next'));
    expect(handled).toEqual(['next', 'next']);
  });
});
