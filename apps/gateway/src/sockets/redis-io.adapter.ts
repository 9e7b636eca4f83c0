import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { IncomingMessage } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';
import { AppConfig } from '@kapok/config';
import { redisOptions } from '@kapok/queue';
import { SocketSubscription } from './socket-subscription';

/**
 * Whether a socket handshake may proceed, by its Origin header. A browser always sends one: the page must come
 * from the gateway itself (the console, same host) or from one of CORS_ORIGINS; any other site is refused, so a page
 * elsewhere cannot open a socket with a token it got hold of. Clients without an Origin (telephony and chat
 * gateways, the tests' socket.io clients, scripts) are not browsers and connect as before.
 */
export function socketOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: Set<string>,
): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file://) and anything else unreadable
  }
  if (host && url.host.toLowerCase() === host.toLowerCase()) return true;
  return allowed.has(url.origin);
}

/**
 * socket.io over Redis pub/sub: a room emit (from this gateway, another gateway, or the router's emitter)
 * reaches the socket whichever gateway process holds it. Handshakes are screened by origin (socketOriginAllowed).
 * When the subscriber's connection was lost and is back (ioredis subscribes again by itself), the socket gateways
 * are told (SocketSubscription) and resend their sockets' state: what was emitted meanwhile never came.
 */
export class RedisIoAdapter extends IoAdapter {
  private pub?: Redis;
  private sub?: Redis;

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const config = this.app.get(AppConfig);
    const opts = redisOptions(config.get('REDIS_URL'));
    this.pub = new Redis(opts);
    this.sub = this.pub.duplicate();
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    const allowed = new Set(config.get('CORS_ORIGINS').map((o) => new URL(o).origin));
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: 64 * 1024,
      // Long-polling from another allowed origin needs CORS headers; the gateway's own pages need none.
      cors: { origin: [...allowed], credentials: true },
      allowRequest: (req: IncomingMessage, fn: (err: string | null | undefined, success: boolean) => void) => {
        const ok = socketOriginAllowed(req.headers.origin, req.headers.host, allowed);
        fn(ok ? null : 'origin not allowed', ok);
      },
    } as ServerOptions);
    server.adapter(createAdapter(this.pub, this.sub, { key: `${config.get('REDIS_PREFIX')}:socket.io` }));
    this.watchSubscription(this.sub, this.app.get(SocketSubscription));
    return server;
  }

  /**
   * ioredis sends the subscriptions again on reconnecting, before it emits `ready`; a PING sent after them is
   * answered once they are in place, and only then can an emit reach this gateway again.
   */
  private watchSubscription(sub: Redis, subscription: SocketSubscription): void {
    let interrupted = false;
    sub.on('close', () => {
      interrupted = true;
    });
    sub.on('ready', () => {
      if (!interrupted) return;
      interrupted = false;
      sub.ping().then(
        () => subscription.resumed(),
        () => undefined, // lost again: the next `ready` tries again
      );
    });
  }

  override async close(server: unknown): Promise<void> {
    await super.close(server as never);
    this.pub?.disconnect();
    this.sub?.disconnect();
  }
}
