import { Injectable } from '@nestjs/common';
import { CHANNELS, type Channel } from '@kapok/contracts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What the reconcile sweep had to put right. Each is something a trigger (a job, a socket's disconnect, a gateway's
 * heartbeat) should have done: in a healthy system they stay at zero, except `dispatched`, which a burst can move
 * (the sweep overtakes the backlog of route-contact triggers and makes their offers first).
 */
export const RECONCILE_FINDINGS = ['expired_offer', 'dead_gateway_socket', 'dispatched', 'overdue_follow_up'] as const;
export type ReconcileFinding = (typeof RECONCILE_FINDINGS)[number];

/** How an open offer ended without being accepted (`revoked` ones carry the reason). */
export type OfferEnd = 'declined' | 'expired' | 'undelivered' | 'disconnected' | 'away' | 'abandoned';
const REVOKE_REASONS = ['disconnected', 'away', 'abandoned'] as const;

/** The states of an active operator account on the live board (docs/statistics.md), the label of kapok_operators. */
export const OPERATOR_STATES = ['available', 'busy', 'wrap_up', 'away', 'offline'] as const;

/** Contacts waiting now, city-wide (from Postgres). */
export interface WaitingNow {
  /** Not answered yet: queued, or offered and ringing. */
  waiting: number;
  /** The longest of their waits, in seconds (0 when nobody waits). */
  oldestSeconds: number;
  /** Queued contacts whose pool at this moment has nobody on duty in it: nobody can be offered them. */
  unstaffed: number;
}

/** Where the gauges that describe the whole system (not this process) are read from, on scrape. */
export interface LiveSources {
  waiting(): Promise<WaitingNow>;
  /** Active operator accounts by state (OPERATOR_STATES). */
  operators(): Promise<Record<string, number>>;
  /** The routing queue's jobs by state (waiting, active, delayed, failed), and `paused` 1 when it is paused. */
  queue(): Promise<Record<string, number>>;
  /** Routers whose heartbeat is recent (they are consuming the routing queue). */
  routersAlive(): Promise<number>;
}

/** The database connection pool of this process. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** A live source is asked at most this often, however many scrapes (and gauges) ask. */
export const LIVE_CACHE_MS = 1_000;
/** A live source that has not answered in this long counts as failed for this scrape (its gauges read NaN). */
const LIVE_TIMEOUT_MS = 3_000;

const WAIT_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200];
const OFFER_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];
const JOB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

/**
 * The process's Prometheus metrics (prom-client), one registry per application (so several applications in one
 * test process never share or clash), exposed by the gateway at `/metrics` and by the router on its metrics port.
 * Use-cases call the small methods below where they act, after their transaction committed; counters are per
 * process and Prometheus sums them. Labels carry codes only (channel, reason, job name, state): never a person's
 * name, a caller's number or an id. Names are in ../shared/contract.md ("Readiness and metrics") and
 * docs/operations.md.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly received = this.counter('kapok_contacts_received_total', 'Contacts received at intake', ['channel']);
  private readonly offered = this.counter(
    'kapok_contacts_offered_total',
    'Contacts offered to an operator for the first time',
    ['channel'],
  );
  private readonly answered = this.counter(
    'kapok_contacts_answered_total',
    'Contacts answered (accepted by an operator) for the first time',
    ['channel'],
  );
  private readonly abandoned = this.counter(
    'kapok_contacts_abandoned_total',
    'Contacts whose caller left before anyone answered',
    ['channel'],
  );
  private readonly offersMade = this.counter('kapok_offers_made_total', 'Offers made to operators', ['channel']);
  private readonly offersDeclined = this.counter('kapok_offers_declined_total', 'Offers declined by the operator', [
    'channel',
  ]);
  private readonly offersExpired = this.counter(
    'kapok_offers_expired_total',
    'Offers not answered within the offer timeout',
    ['channel'],
  );
  private readonly offersUndelivered = this.counter(
    'kapok_offers_undelivered_total',
    'Offers that reached no gateway and were withdrawn at once',
    ['channel'],
  );
  private readonly offersRevoked = this.counter(
    'kapok_offers_revoked_total',
    'Open offers revoked: the operator disconnected or went away, or the caller left',
    ['channel', 'reason'],
  );
  private readonly offerLatency = new Histogram({
    name: 'kapok_offer_latency_seconds',
    help: 'From intake to the first offer of a contact',
    buckets: OFFER_BUCKETS,
    registers: [this.registry],
  });
  private readonly answerWait = new Histogram({
    name: 'kapok_answer_wait_seconds',
    help: 'From intake to the first answer of a contact (what the caller waited)',
    labelNames: ['channel'],
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  private readonly recovered = this.counter(
    'kapok_reconcile_recovered_total',
    'What the reconcile sweep had to put right (should stay at zero)',
    ['finding'],
  );
  private readonly jobDuration = new Histogram({
    name: 'kapok_job_duration_seconds',
    help: 'Routing jobs run by this router, by job name and result',
    labelNames: ['job', 'result'],
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });
  private readonly jobLag = new Histogram({
    name: 'kapok_job_lag_seconds',
    help: 'From the moment a routing job was due to the moment a router took it (first attempts)',
    labelNames: ['job'],
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  private readonly collectErrors = this.counter(
    'kapok_metrics_collect_errors_total',
    'Scrapes in which a live source (Postgres, Redis) did not answer: its gauges read NaN',
    ['source'],
  );
  private readonly sockets = new Map<string, () => number>();
  private heartbeatGauge?: Gauge;
  private live = false;

  constructor() {
    // process_* and nodejs_* (CPU, memory, handles, GC, event-loop lag: nodejs_eventloop_lag_seconds …)
    collectDefaultMetrics({ register: this.registry });
    for (const channel of CHANNELS) {
      for (const c of [
        this.received,
        this.offered,
        this.answered,
        this.abandoned,
        this.offersMade,
        this.offersDeclined,
        this.offersExpired,
        this.offersUndelivered,
      ])
        c.inc({ channel }, 0);
      for (const reason of REVOKE_REASONS) this.offersRevoked.inc({ channel, reason }, 0);
      this.answerWait.zero({ channel });
    }
    for (const finding of RECONCILE_FINDINGS) this.recovered.inc({ finding }, 0);
  }

  /** The exposition text (Prometheus format) and its content type. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // ------------------------------------------------------------------------------ where the use-cases act

  contactReceived(channel: Channel): void {
    this.received.inc({ channel });
  }

  /** An offer was made; `firstAfterSeconds` when it is the contact's first offer (then: seconds since intake). */
  offerMade(channel: Channel, firstAfterSeconds?: number): void {
    this.offersMade.inc({ channel });
    if (firstAfterSeconds === undefined) return;
    this.offered.inc({ channel });
    this.offerLatency.observe(Math.max(0, firstAfterSeconds));
  }

  offerEnded(channel: Channel, how: OfferEnd): void {
    switch (how) {
      case 'declined':
        return void this.offersDeclined.inc({ channel });
      case 'expired':
        return void this.offersExpired.inc({ channel });
      case 'undelivered':
        return void this.offersUndelivered.inc({ channel });
      default:
        return void this.offersRevoked.inc({ channel, reason: how });
    }
  }

  /** A contact was answered for the first time, `waitedSeconds` after intake. */
  contactAnswered(channel: Channel, waitedSeconds: number): void {
    this.answered.inc({ channel });
    this.answerWait.observe({ channel }, Math.max(0, waitedSeconds));
  }

  contactAbandoned(channel: Channel): void {
    this.abandoned.inc({ channel });
  }

  reconciled(found: Partial<Record<ReconcileFinding, number>>): void {
    for (const finding of RECONCILE_FINDINGS) {
      const n = found[finding] ?? 0;
      if (n > 0) this.recovered.inc({ finding }, n);
    }
  }

  /** A routing job's attempt finished (`job` is a known job name or `unknown`). */
  jobFinished(job: string, seconds: number, result: 'completed' | 'failed', lagSeconds?: number): void {
    this.jobDuration.observe({ job, result }, seconds);
    if (lagSeconds !== undefined) this.jobLag.observe({ job }, Math.max(0, lagSeconds));
  }

  // ------------------------------------------------------------------------------ this process

  /** Counts the sockets of this namespace of this process on each scrape (`kapok_sockets_connected`). */
  observeSockets(namespace: string, count: () => number): void {
    if (this.sockets.size === 0) {
      const sockets = this.sockets;
      new Gauge({
        name: 'kapok_sockets_connected',
        help: 'Sockets connected to this gateway, by namespace',
        labelNames: ['namespace'],
        registers: [this.registry],
        collect() {
          for (const [namespace, n] of sockets) this.set({ namespace }, n());
        },
      });
    }
    this.sockets.set(namespace, count);
  }

  /** This process's Postgres pool, read on each scrape. */
  observePool(read: () => PoolStats | undefined): void {
    new Gauge({
      name: 'kapok_pg_pool_connections',
      help: "Connections of this process's Postgres pool, in use or idle",
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const p = read();
        this.set({ state: 'in_use' }, p ? p.total - p.idle : NaN);
        this.set({ state: 'idle' }, p ? p.idle : NaN);
      },
    });
    new Gauge({
      name: 'kapok_pg_pool_waiting',
      help: 'Queries of this process waiting for a connection of its Postgres pool',
      registers: [this.registry],
      collect() {
        this.set(read()?.waiting ?? NaN);
      },
    });
  }

  /** A router wrote its heartbeat (Redis time, seconds). */
  routerHeartbeat(atSeconds: number): void {
    this.heartbeatGauge ??= new Gauge({
      name: 'kapok_router_heartbeat_timestamp_seconds',
      help: 'When this router last wrote its heartbeat (Redis time): it is consuming the routing queue',
      registers: [this.registry],
    });
    this.heartbeatGauge.set(atSeconds);
  }

  // ------------------------------------------------------------------------------ the whole system (gateways)

  /**
   * The gauges that describe the whole system, read from Postgres and Redis when scraped (each source at most
   * once per LIVE_CACHE_MS, shared by its gauges), not written by every process. Registered by the gateways only,
   * so each gateway reports the same values: dashboards take max() over them. A source that fails sets its
   * gauges to NaN (and counts kapok_metrics_collect_errors_total) rather than failing the whole scrape.
   */
  observeLive(sources: LiveSources): void {
    if (this.live) return;
    this.live = true;
    for (const source of ['postgres', 'redis']) this.collectErrors.inc({ source }, 0);
    const waiting = this.cached('postgres', () => sources.waiting());
    const operators = this.cached('postgres', () => sources.operators());
    const queue = this.cached('redis', () => sources.queue());
    const routers = this.cached('redis', () => sources.routersAlive());
    const gauge = (name: string, help: string, collect: (this: Gauge) => Promise<void>, labelNames: string[] = []) =>
      new Gauge({ name, help, labelNames, registers: [this.registry], collect });

    gauge('kapok_contacts_waiting', 'Contacts not answered yet (queued, or ringing), city-wide', async function () {
      this.set((await waiting())?.waiting ?? NaN);
    });
    gauge(
      'kapok_contacts_waiting_oldest_seconds',
      'The longest wait of a contact not answered yet, in seconds (0 when nobody waits)',
      async function () {
        this.set((await waiting())?.oldestSeconds ?? NaN);
      },
    );
    gauge(
      'kapok_contacts_waiting_unstaffed',
      'Queued contacts whose pool (station, or the district, region or city it overflowed to) has nobody on duty',
      async function () {
        this.set((await waiting())?.unstaffed ?? NaN);
      },
    );
    gauge(
      'kapok_operators',
      'Active operator accounts by state (available, busy, wrap_up, away, offline), as on the live board',
      async function () {
        const counts = await operators();
        for (const presence of OPERATOR_STATES) this.set({ presence }, counts ? (counts[presence] ?? 0) : NaN);
      },
      ['presence'],
    );
    gauge(
      'kapok_queue_jobs',
      'Jobs of a BullMQ queue by state (waiting = ready to run, prioritized included)',
      async function () {
        const counts = await queue();
        for (const state of ['waiting', 'active', 'delayed', 'failed'])
          this.set({ queue: 'routing', state }, counts ? (counts[state] ?? 0) : NaN);
      },
      ['queue', 'state'],
    );
    gauge(
      'kapok_queue_paused',
      'Whether a BullMQ queue is paused (1: no router takes any job, nothing is routed)',
      async function () {
        const counts = await queue();
        this.set({ queue: 'routing' }, counts ? (counts.paused ?? 0) : NaN);
      },
      ['queue'],
    );
    gauge('kapok_routers_alive', 'Routers whose heartbeat is recent (consuming the routing queue)', async function () {
      this.set((await routers()) ?? NaN);
    });
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** fn, asked at most once per LIVE_CACHE_MS; undefined (and counted) when it fails or does not answer in time. */
  private cached<T>(source: string, fn: () => Promise<T>): () => Promise<T | undefined> {
    let at = -Infinity;
    let last: Promise<T | undefined> = Promise.resolve(undefined);
    return () => {
      // (Date.now: the age of a cached reading, nothing the domain decides on)
      if (Date.now() - at < LIVE_CACHE_MS) return last;
      at = Date.now();
      let timer: NodeJS.Timeout | undefined;
      last = Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), LIVE_TIMEOUT_MS);
        }),
      ])
        .catch(() => {
          this.collectErrors.inc({ source });
          return undefined;
        })
        .finally(() => clearTimeout(timer));
      return last;
    };
  }
}
