import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveInfra } from './infra';
import { holdsCallerNumbers, resolveSecrets } from './secrets';

/**
 * `npm start`: one command that runs the whole product on one machine. It finds (or starts) Postgres and Redis,
 * takes the keys from the environment or from <data>/secrets.json (generating them there once), then runs the
 * gateway (HTTP + sockets, migrations, demo data) and the router (BullMQ workers) as two processes, exactly as they
 * run in production, and prints where to go.
 */
const root = resolve(__dirname, '../../../../../..');
/** Local data of `npm start` (embedded Postgres, Redis, secrets.json): KAPOK_DATA_DIR, or .data in the repository. */
const dataDir = resolve(process.env.KAPOK_DATA_DIR || join(root, '.data'));
const entry = (app: string) => join(root, 'dist/apps', app, 'apps', app, 'src/main.js');

async function main() {
  for (const app of ['gateway', 'router']) {
    if (!existsSync(entry(app))) throw new Error(`${entry(app)} is missing: run npm run build first`);
  }
  const givenDatabase = !!process.env.DATABASE_URL;
  const infra = await resolveInfra(dataDir);
  let secrets;
  try {
    secrets = await resolveSecrets(dataDir, process.env, () => holdsCallerNumbers(infra.databaseUrl));
  } catch (err) {
    await infra.stop();
    throw err;
  }
  const port = process.env.PORT ?? '3000';
  // The demo data (public passwords and intake key) is never seeded in production (the config refuses DEMO=true).
  const demoByDefault = !givenDatabase && process.env.NODE_ENV !== 'production';
  const env = {
    ...process.env,
    ...secrets.values,
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    PORT: port,
    DEMO: process.env.DEMO ?? (demoByDefault ? 'true' : 'false'),
  };

  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    children.forEach((c) => c.kill('SIGTERM'));
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())),
    );
    await infra.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  // The gateway runs migrations and seeds the demo data; the router starts once it is up.
  const gateway = fork(entry('gateway'), [], { env });
  children.push(gateway);
  gateway.on('exit', (code) => void stop(code ?? 1));
  const url = `http://localhost:${port}`;
  await waitHealthy(`${url}/api/health`, { gateway });
  const router = fork(entry('router'), [], { env: { ...env, DB_MIGRATE: 'false' } });
  children.push(router);
  router.on('exit', (code) => void stop(code ?? 1));
  // Up means ready: the gateway takes intake and the router consumes the routing queue (its heartbeat is heard).
  try {
    await waitHealthy(`${url}/api/health/ready`, { gateway, router });
  } catch (err) {
    console.error(`[kapok] ${(err as Error).message}`);
    return stop(1); // (both processes stopped with the launcher, not left behind)
  }

  console.log(`
  Kapok (红棉) is running.
    Console        ${url}/console    (then, in another terminal: npm run simulate)
    API            ${url}/api        (OpenAPI: ${url}/api/docs)
    Health         ${url}/api/health   (ready: ${url}/api/health/ready)
    Metrics        ${url}/metrics        (from this machine; docs/operations.md)
    Operator socket ${url}/agent (socket.io)
    Keys           ${secrets.keptIn ?? 'from the environment'}${
      env.DEMO === 'true'
        ? `
  Demo accounts (password hotline-demo):
    demo-operator, demo-operator-2   operators at 越秀区北京街社工站 (line 020-8100-0001)
    demo-coordinator                 coordinator of 越秀区
    demo-supervisor                  supervisor of 北京街 and 5 more stations
    demo-manager, demo-admin         city-wide
  Demo intake key: demo-intake-key (header X-Api-Key)`
        : ''
    }
  Stop with Ctrl-C.
`);
}

/** Waits until url answers 2xx (up to 2 minutes); fails at once if one of the processes exits meanwhile. */
async function waitHealthy(url: string, processes: Record<string, ChildProcess>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    for (const [name, child] of Object.entries(processes)) {
      if (child.exitCode !== null) throw new Error(`the ${name} exited during start-up (see its log above)`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no answer 2xx from ${url} within 2 minutes`);
}

main().catch((err) => {
  console.error(`[kapok] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
