import { Logger } from '@nestjs/common';

/** However a process's shutdown goes, it is gone this long after SIGTERM or SIGINT. */
export const SHUTDOWN_DEADLINE_MS = 20_000;

/**
 * For a process's main.ts, once Nest's shutdown hooks are enabled (not for a module: tests start and close those in
 * their own process). After SIGTERM or SIGINT, the process exits with 1 at SHUTDOWN_DEADLINE_MS if Nest's shutdown
 * hooks have not finished by then (a request or a job that never ends, a connection that never closes). The orchestrator's own grace period should be
 * longer (docs/operations.md, "Shutdown and rolling restarts").
 */
export function exitIfShutdownHangs(deadlineMs = SHUTDOWN_DEADLINE_MS): void {
  const arm = () => {
    setTimeout(() => {
      Logger.error(`shutdown did not finish within ${deadlineMs / 1000} s: exiting`, 'Shutdown');
      process.exit(1);
    }, deadlineMs).unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}
