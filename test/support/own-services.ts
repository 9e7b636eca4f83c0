import { execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Servers of a test's own, for fault tests that stop, kill and restart them for real (the shared Postgres and Redis
 * of the machine are never touched). Debian's binaries: PostgreSQL 15 and redis-server.
 */
const run = promisify(execFile);

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface OwnPostgres {
  /** postgres://…/kapok on the test's own server. */
  url: string;
  /** `pg_ctl restart -m fast`: every connection is terminated, the server is down for a moment, then back. */
  restart(): Promise<void>;
  /** Stops the server (fast: connections terminated) and leaves it down until `up`. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Stops it for good and removes its files. */
  stop(): Promise<void>;
}

/** Runs a PostgreSQL binary; as root, as the postgres user (the server refuses to run as root). */
async function pg(binary: string, args: string[]): Promise<void> {
  const { stdout } = await run('pg_config', ['--bindir']);
  const bin = join(stdout.trim(), binary);
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', bin, ...args]);
  else await run(bin, args);
}

/** A fresh PostgreSQL cluster on a free port with an empty database `kapok` (trust auth, no fsync: a test server). */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'kapok-pg-'));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const ctl = (...args: string[]) => pg('pg_ctl', ['-D', data, '-o', options, '-w', '-t', '60', ...args]);
  await ctl('-l', join(dir, 'log'), 'start');
  await pg('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'kapok']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/kapok`,
    restart: () => ctl('-l', join(dir, 'log'), '-m', 'fast', 'restart'),
    down: () => ctl('-m', 'fast', 'stop'),
    up: () => ctl('-l', join(dir, 'log'), 'start'),
    stop: async () => {
      await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  url: string;
  port: number;
  /** SIGKILL: whatever it held in memory is gone (it keeps nothing on disk). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of the test's own on a free port, keeping nothing on disk. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ReturnType<typeof spawn> | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      try {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
        if (stdout.trim() === 'PONG') return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server on ${port} did not start`);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}/0`, port, kill, start, stop: kill };
}
