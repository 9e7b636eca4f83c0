import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';

/** A token bucket: `burst` events at once, refilled at `perSecond`. */
export interface SocketEventRate {
  perSecond: number;
  burst: number;
}

/** Enough for any person clicking (presence, accept, decline, state) and any reconnecting client's catch-up. */
export const DEFAULT_SOCKET_EVENT_RATE: SocketEventRate = { perSecond: 10, burst: 30 };

/** What a socket answers to an event over its rate: the usual failed ack, so clients handle it like any other. */
export const RATE_LIMITED_ACK = { ok: false, error: 'rate_limited: too many events, slow down' } as const;

type Packet = unknown[];

/**
 * Limits the events one socket may send (in memory: a socket lives in one process). `middleware()` gives a
 * socket.io per-socket middleware, one bucket per call, to install when the socket connects:
 *
 *     socket.use(this.limiter.middleware());
 *
 * An event over the rate is not handled: its ack, if it asked for one, gets RATE_LIMITED_ACK.
 */
@Injectable()
export class SocketEventLimiter {
  constructor(private readonly clock: Clock) {}

  /** A bucket of its own: `take()` is true while the rate allows one more event. */
  bucket(rate: SocketEventRate = DEFAULT_SOCKET_EVENT_RATE): { take(): boolean } {
    let tokens = rate.burst;
    let last = this.clock.now().getTime();
    return {
      take: () => {
        const now = this.clock.now().getTime();
        tokens = Math.min(rate.burst, tokens + (Math.max(0, now - last) / 1000) * rate.perSecond);
        last = now;
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
      },
    };
  }

  middleware(rate: SocketEventRate = DEFAULT_SOCKET_EVENT_RATE): (packet: Packet, next: (err?: Error) => void) => void {
    const bucket = this.bucket(rate);
    return (packet, next) => {
      if (bucket.take()) return next();
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') (ack as (answer: unknown) => void)(RATE_LIMITED_ACK);
    };
  }
}
