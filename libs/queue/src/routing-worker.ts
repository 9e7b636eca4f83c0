import type { ConnectionOptions, WorkerOptions } from 'bullmq';
import { AppConfig } from '@kapok/config';
import { redisOptions } from './redis-options';

/** Where BullMQ keeps its queues: the Redis of REDIS_URL, under REDIS_PREFIX (producers and workers alike). */
export function bullConnection(config: AppConfig): { connection: ConnectionOptions; prefix: string } {
  return {
    connection: redisOptions(config.get('REDIS_URL')) as ConnectionOptions,
    prefix: `${config.get('REDIS_PREFIX')}:bull`,
  };
}

/**
 * The options of a router's worker on the routing queue. A router that dies (crash, SIGKILL, lost host) leaves the
 * jobs it held in BullMQ's active list; they run again once their lock has run out and a stalled check of another
 * router (or of the same one restarted) has seen it: at most ROUTER_JOB_LOCK_SECONDS + ROUTER_STALLED_CHECK_SECONDS
 * after the death, 6 s by default (BullMQ's own defaults, 30 s + 30 s, let them wait up to a minute). A job that
 * runs long keeps its lock, renewed every half lock while it runs; only an event loop blocked for half a lock would
 * lose it, and then the job runs twice, which every handler allows (it reloads and checks the state). A stalled job
 * is queued again ahead of everything (RPUSH on the wait list); one that stalls twice (a job that kills routers) is
 * failed rather than handed to the next router, and the reconcile sweep does what it should have.
 */
export function routingWorkerOptions(config: AppConfig): WorkerOptions {
  return {
    ...bullConnection(config),
    concurrency: config.get('ROUTER_CONCURRENCY'),
    lockDuration: Math.round(config.get('ROUTER_JOB_LOCK_SECONDS') * 1000),
    stalledInterval: Math.round(config.get('ROUTER_STALLED_CHECK_SECONDS') * 1000),
    maxStalledCount: 1,
  };
}
