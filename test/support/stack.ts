import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { io, Socket } from 'socket.io-client';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { setupGatewayApp } from '../../apps/gateway/src/setup-app';
import { RouterModule } from '../../apps/router/src/router.module';
import { Clock } from '../../libs/common/src';
import { PASSWORD, redisPrefix } from './fixtures';

@Module({ imports: [GatewayModule, RouterModule] })
class WholeStackModule {}

export interface Stack {
  app: NestExpressApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * The gateway and the router in this test process, on a random port, against the real Postgres and Redis
 * (its own Redis key prefix, so test files never share queues). With `clock`, the product reads the time from it
 * (Nest's overrideProvider of Clock; e.g. a ControllableClock, support/clock.ts).
 */
export async function startStack(env: Record<string, string> = {}, opts: { clock?: Clock } = {}): Promise<Stack> {
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: redisPrefix(),
    OFFER_TIMEOUT_SECONDS: '20',
    RECONNECT_GRACE_SECONDS: '60',
    RECONCILE_INTERVAL_SECONDS: '60',
    ...env,
  });
  const logger: ('error' | 'warn')[] = ['error', 'warn'];
  const app = opts.clock
    ? (
        await Test.createTestingModule({ imports: [WholeStackModule] })
          .overrideProvider(Clock)
          .useValue(opts.clock)
          .compile()
      ).createNestApplication<NestExpressApplication>({ logger })
    : await NestFactory.create<NestExpressApplication>(WholeStackModule, { logger });
  setupGatewayApp(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

export async function api(
  url: string,
  method: string,
  path: string,
  opts: { token?: string; key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['x-api-key'] = opts.key;
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}/api${path}`, {
    method,
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

export async function login(url: string, username: string, password = PASSWORD): Promise<string> {
  const res = await api(url, 'POST', '/auth/login', { body: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
  return res.body.accessToken;
}

/** A real socket.io client on /agent that records every event it receives. */
export class AgentClient {
  readonly socket: Socket;
  readonly events: { event: string; data: any }[] = [];
  private waiters: { event: string; pred: (d: any) => boolean; resolve: (d: any) => void }[] = [];

  constructor(
    url: string,
    token: string,
    opts: { autoConnect?: boolean; namespace?: string; auth?: Record<string, unknown> } = {},
  ) {
    this.socket = io(`${url}${opts.namespace ?? '/agent'}`, {
      auth: opts.auth ?? { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      autoConnect: opts.autoConnect ?? true,
    });
    this.socket.onAny((event, data) => {
      this.events.push({ event, data });
      this.waiters = this.waiters.filter((w) => {
        if (w.event === event && w.pred(data)) {
          w.resolve(data);
          return false;
        }
        return true;
      });
    });
  }

  static async connect(url: string, token: string): Promise<AgentClient> {
    const c = new AgentClient(url, token);
    await c.next('agent:state');
    return c;
  }

  /**
   * A caller's /chat client (the web chat), by its resume token, connected once it was told where its conversation
   * is (`conversation:state`).
   */
  static async chat(url: string, resumeToken: string): Promise<AgentClient> {
    const c = new AgentClient(url, '', { namespace: '/chat', auth: { resumeToken } });
    await c.next('conversation:state');
    return c;
  }

  /** A /monitor client (coordinators, supervisors, managers, admins), connected once its first snapshot arrived. */
  static async monitor(url: string, token: string): Promise<AgentClient> {
    const c = new AgentClient(url, token, { namespace: '/monitor' });
    await c.next('queue:snapshot');
    return c;
  }

  /**
   * The first event of this name (already received or still to come) matching pred. The default wait is long
   * enough for a machine several times slower than a developer's; it only matters when the event never comes.
   */
  next<T = any>(event: string, pred: (d: any) => boolean = () => true, timeoutMs = 15_000): Promise<T> {
    const seen = this.events.find((e) => e.event === event && pred(e.data));
    if (seen) {
      this.events.splice(this.events.indexOf(seen), 1);
      return Promise.resolve(seen.data);
    }
    // made here, so that a timeout's stack names the test's line that waited
    const timeout = new Error(`no ${event} within ${timeoutMs} ms`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(timeout), timeoutMs);
      this.waiters.push({
        event,
        pred,
        resolve: (d) => {
          clearTimeout(timer);
          this.events.splice(
            this.events.findIndex((e) => e.data === d),
            1,
          );
          resolve(d);
        },
      });
    });
  }

  /** Asserts that no event of this name arrives within ms. */
  async none(event: string, ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    const seen = this.events.find((e) => e.event === event);
    if (seen) throw new Error(`unexpected ${event}: ${JSON.stringify(seen.data)}`);
  }

  emit<T = any>(event: string, payload?: unknown): Promise<T> {
    return this.socket.timeout(15_000).emitWithAck(event, payload);
  }

  async available(): Promise<void> {
    const ack = await this.emit('presence:set', { status: 'available' });
    if (!ack.ok) throw new Error(`presence:set failed: ${JSON.stringify(ack)}`);
  }

  close(): void {
    this.socket.disconnect();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
