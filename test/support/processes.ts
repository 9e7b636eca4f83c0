import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ConnectionOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import { ROUTING_QUEUE, redisOptions } from '../../libs/queue/src';

/**
 * The product's processes for real: gateways and routers started from dist/ (`npm run build`), as in production, for
 * the tests that run several of them or kill one.
 */

const ROOT = resolve(__dirname, '../..');
export type App = 'gateway' | 'router';
export const entry = (app: App) => join(ROOT, 'dist/apps', app, 'apps', app, 'src/main.js');

/** Fails at once, saying what to do, when dist/ or the test environment is missing. */
export function checkBuilt(): void {
  for (const app of ['gateway', 'router'] as const) {
    if (!existsSync(entry(app))) {
      throw new Error(`${entry(app)} is missing: run \`npm run build\` first (\`npm test\` builds before testing)`);
    }
  }
  if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
    throw new Error('DATABASE_URL / REDIS_URL are not set: run this file through jest (its globalSetup sets them)');
  }
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

/** One spawned app process and the tail of what it printed (shown when something goes wrong). */
export class Proc {
  readonly child: ChildProcess;
  private out = '';

  constructor(
    readonly name: string,
    readonly app: App,
    env: Record<string, string | undefined>,
  ) {
    this.child = spawn(process.execPath, [entry(app)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      this.out = (this.out + b.toString()).slice(-20_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get log(): string {
    return this.out.trim();
  }

  /** SIGKILL: the process dies at once, in the middle of whatever it was doing. Resolves once it has exited. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGKILL');
    await exited;
  }

  /**
   * SIGTERM, as an orchestrator stops a process for a restart, and waits for it to exit by itself (up to
   * `withinMs`, then SIGKILL). Answers how it ended: `killed` when it had to be killed.
   */
  async terminate(withinMs = 30_000): Promise<{ code: number | null; signal: string | null; killed: boolean }> {
    if (!this.running) return { code: this.child.exitCode, signal: this.child.signalCode, killed: false };
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.child.kill('SIGKILL');
    }, withinMs);
    await exited;
    clearTimeout(timer);
    return { code: this.child.exitCode, signal: this.child.signalCode, killed };
  }

  /** SIGTERM, then SIGKILL if it is still there after 5 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** What the processes printed, for a failure message. */
export function processLogs(procs: Proc[]): string {
  return procs
    .filter((p) => p.log)
    .map(
      (p) => `--- ${p.name} (${p.running ? 'running' : `exited ${p.child.exitCode ?? p.child.signalCode}`})\n${p.log}`,
    )
    .join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The routing queue under this Redis prefix, seen from the test (close it when done). */
export function observeRoutingQueue(prefix: string): Queue {
  const queue = new Queue(ROUTING_QUEUE, {
    connection: redisOptions(process.env.REDIS_URL!) as ConnectionOptions,
    prefix: `${prefix}:bull`,
  });
  queue.on('error', () => undefined);
  return queue;
}

/**
 * Waits until every gateway answers /api/health and `routers` BullMQ workers are registered in Redis (by default
 * one per router process running). Fails at once if a process exits meanwhile.
 */
export async function waitUp(
  gateways: string[],
  procs: Proc[],
  prefix: string,
  routers = procs.filter((p) => p.app === 'router' && p.running).length,
): Promise<void> {
  const queue = observeRoutingQueue(prefix);
  const deadline = Date.now() + 45_000;
  try {
    for (;;) {
      const dead = procs.filter((p) => !p.running);
      if (dead.length) {
        throw new Error(`${dead.map((p) => p.name).join(', ')} exited during start-up\n${processLogs(procs)}`);
      }
      const healthy = await Promise.all(
        gateways.map((g) =>
          fetch(`${g}/api/health`)
            .then((r) => r.ok)
            .catch(() => false),
        ),
      );
      const workers = await queue.getWorkersCount().catch(() => 0);
      if (healthy.every(Boolean) && workers >= routers) return;
      if (Date.now() > deadline) {
        throw new Error(
          `not up after 45 s (gateways healthy: ${healthy}, router workers: ${workers})\n${processLogs(procs)}`,
        );
      }
      await sleep(200);
    }
  } finally {
    await queue.close();
  }
}

/** Deletes every Redis key under the prefix (test/support/environment.ts also does, once the file is done). */
export async function removeRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisOptions(process.env.REDIS_URL!));
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
