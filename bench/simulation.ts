/**
 * Routing simulation on the demo tree: the contract's Guangzhou tree (176 stations), a few hundred scripted
 * operators with shifts, languages and skills on real socket.io connections, and a few thousand contacts of mixed
 * risk, language and channel through POST /api/contacts at a steady rate. Operators accept most offers, decline or
 * miss some; callers abandon some. Used by test/e2e/routing-simulation.test.ts (invariants) and by
 * `npm run bench:simulation` (figures).
 *
 * While it runs, a watcher samples every 200 ms for a waiting contact that an eligible operator could take now
 * (MatchingRepository.bestOperatorFor): if the same contact is still matchable two samples later, that is a
 * contact waiting while an eligible operator is free, which routing must never leave.
 */
import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { AuthService, PasswordHasher, UserRepository } from '../libs/auth/src';
import { Clock } from '../libs/common/src';
import { Db } from '../libs/database/src';
import { DEMO_INTAKE_KEY } from '../libs/demo/src';
import { MakeOffers, MatchingRepository, RoutingRules, SKILL_TOPICS } from '../libs/routing/src';

export interface SimulationOptions {
  operators: number;
  contacts: number;
  ratePerSecond: number;
  /** Share of operators concentrated on the busiest stations (so contacts overflow). */
  busyStations: number;
  acceptShare: number;
  declineShare: number;
  abandonShare: number;
  handleMs: [number, number];
  drainTimeoutMs: number;
  seed: number;
}

export const DEFAULT_SIMULATION: SimulationOptions = {
  operators: 300,
  contacts: 2000,
  ratePerSecond: 50,
  busyStations: 20,
  acceptShare: 0.9,
  declineShare: 0.05,
  abandonShare: 0.08,
  handleMs: [50, 400],
  drainTimeoutMs: 120_000,
  seed: 7,
};

export interface SimulatedContact {
  id: string;
  riskLevel: 'normal' | 'high' | 'critical';
  channel: 'phone' | 'chat' | 'wechat';
  language: string | null;
  stationId: string;
  sentAt: number;
  firstOfferAt?: number;
  offeredTo: Set<string>;
}

export interface SimulationResult {
  contacts: SimulatedContact[];
  violations: string[];
  elapsedMs: number;
  /** ms from intake to the first offer, by priority. */
  latency: Record<string, number[]>;
  /** ms from intake to the first offer for contacts offered outside their own station. */
  overflowLatency: number[];
  /** Matching runs, mean time holding the match lock, mean wait for it. */
  matching: { runs: number; avgLockedMs: number; avgWaitMs: number };
}

/** A small deterministic PRNG, so a run can be repeated. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function runSimulation(
  app: INestApplicationContext,
  url: string,
  opts: SimulationOptions = DEFAULT_SIMULATION,
): Promise<SimulationResult> {
  const rand = rng(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const db = app.get(Db);
  const auth = app.get(AuthService);
  const users = app.get(UserRepository);
  const passwordHash = await app.get(PasswordHasher).hash(randomUUID());

  const stations = await db.rows<{ id: string; number: string }>(
    `SELECT s.id, min(h.number) AS number FROM org_units s JOIN hotlines h ON h.station_id = s.id
      WHERE s.level = 'station' GROUP BY s.id ORDER BY min(h.number)`,
  );
  if (stations.length < 2) throw new Error('the simulation needs the demo tree (DEMO seed)');
  const busy = stations.slice(0, opts.busyStations);

  // Operators: most on the busy stations, the rest spread; shifts covering now; languages and skills.
  const tag = randomUUID().slice(0, 6);
  const operators: { id: string; stationId: string; token: string; socket?: Socket; held: Set<string> }[] = [];
  for (let i = 0; i < opts.operators; i++) {
    const station = i % 3 === 0 ? pick(stations) : busy[i % busy.length];
    const u = await users.create({
      username: `sim-${tag}-${i}`,
      displayName: `模拟社工${i}`,
      passwordHash,
      role: 'operator',
      orgUnitId: station.id,
    });
    const languages = rand() < 0.7 ? ['yue', 'cmn'] : ['cmn'];
    const skills = SKILL_TOPICS.filter(() => rand() < 0.5);
    await users.setSkills(u.id, languages, skills);
    await db.run(
      `INSERT INTO shifts (station_id, worker_id, starts_at, ends_at) VALUES ($1, $2, now() - interval '1 hour', now() + interval '8 hours')`,
      [station.id, u.id],
    );
    operators.push({ id: u.id, stationId: station.id, token: (await auth.issue(u)).accessToken, held: new Set() });
  }

  const contacts = new Map<string, SimulatedContact>();
  const violations: string[] = [];
  let stopped = false;
  const phoneHolders = new Map<string, string>(); // contact → operator, for the "two at once" check
  const started = Date.now();

  const post = async (path: string, init: { token?: string; key?: string; body?: unknown }) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.key) headers['x-api-key'] = init.key;
    const res = await fetch(`${url}/api${path}`, { method: 'POST', headers, body: JSON.stringify(init.body ?? {}) });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };

  // Connect every operator over socket.io (in batches, as a shift starts) and script their answers.
  for (let i = 0; i < operators.length; i += 25) await Promise.all(operators.slice(i, i + 25).map(connect));
  function connect(op: (typeof operators)[number]) {
    return new Promise<void>((resolve, reject) => {
      const socket = io(`${url}/agent`, { auth: { token: op.token }, transports: ['websocket'], forceNew: true });
      op.socket = socket;
      socket.once('connect_error', reject);
      socket.once('agent:state', () => {
        socket.emit('presence:set', { status: 'available' }, () => resolve());
      });
      socket.on(
        'contact:offer',
        (offer: { offerId: string; contact: { id: string; channel: string } }) =>
          void answer(offer).catch((err) => {
            if (!stopped) violations.push(`operator script failed: ${(err as Error).message}`);
          }),
      );
      const answer = async (offer: { offerId: string; contact: { id: string; channel: string } }) => {
        if (stopped) return;
        const c = contacts.get(offer.contact.id);
        if (c) {
          c.firstOfferAt ??= Date.now();
          c.offeredTo.add(op.id);
        }
        const holder = phoneHolders.get(offer.contact.id);
        if (holder && holder !== op.id)
          violations.push(`${offer.contact.id} offered to ${op.id} while held by ${holder}`);
        const r = rand();
        if (r < opts.acceptShare) {
          const ack = await socket.emitWithAck('offer:accept', { offerId: offer.offerId });
          if (!ack.ok) return; // expired or abandoned meanwhile
          phoneHolders.set(offer.contact.id, op.id);
          op.held.add(offer.contact.id);
          const handle = opts.handleMs[0] + rand() * (opts.handleMs[1] - opts.handleMs[0]);
          const finish = async () => {
            if (stopped) return;
            await post(`/contacts/${offer.contact.id}/end`, { key: DEMO_INTAKE_KEY });
            const out = await post(`/contacts/${offer.contact.id}/outcome`, {
              token: op.token,
              body: {
                serviceTypes: ['emotional_support'],
                targetGroup: 'other',
                summary: '模拟',
                problems: [{ category: 'sim', resolution: 'resolved' }],
              },
            });
            if (out.status !== 201) violations.push(`outcome of ${offer.contact.id}: ${out.status}`);
            phoneHolders.delete(offer.contact.id);
            op.held.delete(offer.contact.id);
          };
          setTimeout(
            () =>
              void finish().catch((err) => {
                if (!stopped) violations.push(`wrap-up of ${offer.contact.id} failed: ${(err as Error).message}`);
              }),
            handle,
          );
        } else if (r < opts.acceptShare + opts.declineShare) {
          await socket.emitWithAck('offer:decline', { offerId: offer.offerId });
        } // else: let it time out
      };
      // An operator set away for missed offers comes back (a real one would, after a word from the coordinator).
      socket.on('agent:presence', (e: { presence: string }) => {
        if (e.presence === 'away') setTimeout(() => socket.emit('presence:set', { status: 'available' }), 200);
      });
    });
  }

  // The watcher: a contact that has waited past the last overflow step (so every operator of the city is in its
  // pool) and is still matchable in 8 samples in a row (about 3 s) is one left waiting beside a free eligible
  // operator. Matching is event-driven, so a matchable pair normally lasts milliseconds.
  const limitSeconds = app.get(RoutingRules).defaults.overflowCitySeconds;
  const matching = app.get(MatchingRepository);
  const clock = app.get(Clock);
  const streak = new Map<string, number>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const seen = new Set<string>();
      const now = clock.now();
      for (const w of await matching.waitingContacts(20, now)) {
        if (w.waited < limitSeconds) continue;
        if ((await db.tx((tx) => matching.bestOperatorFor(w.id, now, '/', tx))).userId) {
          seen.add(w.id);
          const n = (streak.get(w.id) ?? 0) + 1;
          streak.set(w.id, n);
          if (n === 8) violations.push(`${w.id} waited while an eligible operator was free`);
        }
      }
      for (const id of [...streak.keys()]) if (!seen.has(id)) streak.delete(id);
      await new Promise((r) => setTimeout(r, 400));
    }
  })();

  // Callers at a steady rate: busy stations get most; risk, language and channel mixed.
  const gap = 1000 / opts.ratePerSecond;
  const sends: Promise<void>[] = [];
  for (let i = 0; i < opts.contacts; i++) {
    const due = started + i * gap;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const station = rand() < 0.8 ? pick(busy) : pick(stations);
    const riskLevel = rand() < 0.05 ? 'critical' : rand() < 0.15 ? 'high' : 'normal';
    const channel = rand() < 0.6 ? 'phone' : rand() < 0.75 ? 'chat' : 'wechat';
    const language = rand() < 0.3 ? 'yue' : rand() < 0.5 ? 'cmn' : null;
    const topics = rand() < 0.4 ? [pick(SKILL_TOPICS)] : [];
    const sentAt = Date.now();
    sends.push(
      post('/contacts', {
        key: DEMO_INTAKE_KEY,
        body: { hotlineNumber: station.number, channel, riskLevel, language: language ?? undefined, topics },
      }).then(({ status, body }) => {
        if (status !== 201) return void violations.push(`intake ${status}`);
        contacts.set(body.id, {
          id: body.id,
          riskLevel,
          channel,
          language,
          stationId: station.id,
          sentAt,
          offeredTo: new Set(),
        });
        if (rand() < opts.abandonShare) {
          setTimeout(
            () => void post(`/contacts/${body.id}/abandon`, { key: DEMO_INTAKE_KEY }).catch(() => undefined),
            200 + rand() * 3000,
          );
        }
      }),
    );
  }
  await Promise.all(sends);

  // Drain: every contact completed or abandoned.
  const ids = [...contacts.keys()];
  const deadline = Date.now() + opts.drainTimeoutMs;
  for (;;) {
    const open = await db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM contacts WHERE id = ANY($1::uuid[]) AND status NOT IN ('completed','abandoned')`,
      [ids],
    );
    if (open!.n === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  watching = false;
  await watcher;
  const stuck = await db.rows<{ id: string; status: string; offers: unknown }>(
    `SELECT c.id, c.status, (SELECT json_agg(json_build_object('status', o.status, 'created', o.created_at, 'expires', o.expires_at,
            'closed', o.closed_at, 'worker', o.worker_id) ORDER BY o.created_at) FROM offers o WHERE o.contact_id = c.id) AS offers
       FROM contacts c WHERE c.id = ANY($1::uuid[]) AND c.status NOT IN ('completed','abandoned') LIMIT 5`,
    [ids],
  );
  for (const c of stuck) violations.push(`not finished: ${c.id} ${c.status} ${JSON.stringify(c.offers)}`);
  const elapsedMs = Date.now() - started;
  stopped = true;
  operators.forEach((op) => op.socket?.disconnect());

  const latency: Record<string, number[]> = { critical: [], high: [], normal: [] };
  const overflowLatency: number[] = [];
  const firstOffer = await db.rows<{ contact_id: string; station_id: string; worker_station: string }>(
    `SELECT DISTINCT ON (o.contact_id) o.contact_id, c.station_id, a.station_id AS worker_station
       FROM offers o JOIN contacts c ON c.id = o.contact_id JOIN agent_states a ON a.user_id = o.worker_id
      WHERE o.contact_id = ANY($1::uuid[]) ORDER BY o.contact_id, o.created_at`,
    [ids],
  );
  for (const f of firstOffer) {
    const c = contacts.get(f.contact_id)!;
    if (c.firstOfferAt === undefined) continue;
    const ms = c.firstOfferAt - c.sentAt;
    latency[c.riskLevel].push(ms);
    if (f.station_id !== f.worker_station) overflowLatency.push(ms);
  }
  const t = app.get(MakeOffers).timing;
  const matching_ = {
    runs: t.runs,
    avgLockedMs: t.lockedMs / Math.max(1, t.runs),
    avgWaitMs: t.waitedMs / Math.max(1, t.runs),
  };
  return { contacts: [...contacts.values()], violations, elapsedMs, latency, overflowLatency, matching: matching_ };
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
