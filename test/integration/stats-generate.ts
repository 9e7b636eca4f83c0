import { Db } from '../../libs/database/src';

/**
 * Generated contacts for the statistics tests: each one lives its life through the same SQL the state machine
 * runs (insert queued → offered → accepted → ended → outcome + completed; declines, abandonment, reclaim after a
 * dropped connection, contacts left open, amended and deleted outcomes), with explicit timestamps, so the rollup
 * triggers see realistic sequences of changes. The generator keeps its own copy of every contact's final state, from
 * which the tests compute the expected figures in plain TypeScript (a third, independent computation).
 */

export interface GenOutcome {
  serviceTypes: string[];
  targetGroup: string;
  problems: { category: string; resolution: string }[];
  riskAssessment?: string;
}

export interface GenContact {
  id: string;
  stationId: string;
  hotlineId: string;
  channel: string;
  riskLevel: string;
  status: string;
  queuedAt: Date;
  answeredAt?: Date;
  abandonedAt?: Date;
  completedAt?: Date;
  /** The operator holding it at the end (counts for groupBy=worker when answered). */
  workerId?: string;
  outcome?: GenOutcome;
}

export interface GenLine {
  stationId: string;
  hotlineId: string;
}

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

const SERVICE_TYPES = [
  'psychological_support',
  'emotional_support',
  'material_aid',
  'policy_consultation',
  'resource_linking',
  'emergency_assistance',
  'referral',
];
const TARGET_GROUPS = ['elderly', 'children', 'disabled', 'low_income', 'mental_health', 'other'];
const RESOLUTIONS = ['resolved', 'resolved', 'referred', 'unresolved'];

/** Shanghai wall-clock time → UTC instant (UTC+8, no daylight saving). */
export const shanghai = (isoLocal: string) => new Date(`${isoLocal}+08:00`);
/** The Asia/Shanghai day of an instant. */
export const shanghaiDay = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
const plus = (d: Date, seconds: number) => new Date(d.getTime() + Math.round(seconds * 1000));

function randomOutcome(r: ReturnType<typeof rng>): GenOutcome {
  const types = new Set<string>();
  const n = r.int(1, 3);
  while (types.size < n) types.add(r.pick(SERVICE_TYPES));
  const problems = Array.from({ length: r.int(0, 3) }, (_, i) => ({
    category: `p${i}`,
    resolution: r.pick(RESOLUTIONS),
  }));
  return {
    serviceTypes: [...types],
    targetGroup: r.pick(TARGET_GROUPS),
    problems,
    riskAssessment: types.has('psychological_support')
      ? r.pick(['none', 'low', 'medium', 'high', 'imminent'])
      : undefined,
  };
}

const outcomeParams = (o: GenOutcome) => [
  o.serviceTypes,
  o.targetGroup,
  o.riskAssessment ? JSON.stringify({ riskAssessment: o.riskAssessment, interventions: ['倾听'] }) : null,
  o.serviceTypes.includes('material_aid')
    ? JSON.stringify({ items: [{ category: 'food', description: '大米', quantity: 1 }] })
    : null,
  JSON.stringify(o.problems),
];

export interface GenerateOptions {
  db: Db;
  lines: GenLine[];
  intakeKeyId: string;
  /** Creates another operator when all are holding contacts. */
  newOperator: () => Promise<string>;
  count: number;
  seed: number;
  /** Shanghai days to spread contacts over, e.g. ['2025-01-30', '2025-01-31', '2025-02-01']. */
  days: string[];
  /** Parallel lanes (concurrent transactions on the same rollup rows). */
  lanes?: number;
  /** false: no contact is left waiting (those would be offered to operators of a running router). */
  leaveWaiting?: boolean;
}

/**
 * Generates `count` contacts. About a quarter arrive in the last two minutes before a Shanghai midnight (many are
 * answered, abandoned or completed after it); the rest at random times of the days.
 */
export async function generateContacts(o: GenerateOptions): Promise<GenContact[]> {
  const r = rng(o.seed);
  const free: string[] = [];
  const out: GenContact[] = [];
  const take = async () => free.shift() ?? (await o.newOperator());
  const release = (w: string) => free.push(w);
  const { db } = o;

  const plans = Array.from({ length: o.count }, () => {
    const day = r.pick(o.days);
    const nearMidnight = r.chance(0.25);
    const secondOfDay = nearMidnight ? 86_400 - r.int(1, 120) : r.int(0, 86_399);
    const hh = String(Math.floor(secondOfDay / 3600)).padStart(2, '0');
    const mm = String(Math.floor((secondOfDay % 3600) / 60)).padStart(2, '0');
    const ss = String(secondOfDay % 60).padStart(2, '0');
    return {
      line: r.pick(o.lines),
      channel: r.pick(['phone', 'phone', 'chat', 'wechat']),
      riskLevel: r.chance(0.1) ? (r.chance(0.3) ? 'critical' : 'high') : 'normal',
      queuedAt: new Date(shanghai(`${day}T${hh}:${mm}:${ss}`).getTime() + r.int(0, 999)),
      fate: r.next(),
      wait: r.chance(0.7) ? r.int(1, 19) + r.next() : r.int(20, 120) + r.next(),
      handle: r.int(30, 900) + r.next(),
      declined: r.chance(0.2),
      reclaimed: r.chance(0.05),
      amend: r.chance(0.25),
      deleteOutcome: r.chance(0.01),
      escalate: r.chance(0.02),
      outcome: randomOutcome(r),
      amended: randomOutcome(r),
    };
  });

  const live = async (p: (typeof plans)[number]) => {
    const row = await db.one<{ id: string }>(
      `INSERT INTO contacts (hotline_id, station_id, intake_key_id, channel, risk_level, priority, queued_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 0, $6, $6) RETURNING id`,
      [p.line.hotlineId, p.line.stationId, o.intakeKeyId, p.channel, p.riskLevel, p.queuedAt],
    );
    const c: GenContact = {
      id: row!.id,
      stationId: p.line.stationId,
      hotlineId: p.line.hotlineId,
      channel: p.channel,
      riskLevel: p.riskLevel,
      status: 'queued',
      queuedAt: p.queuedAt,
    };
    out.push(c);
    const offer = async (at: Date) => {
      const w = await take();
      await db.run(
        `UPDATE contacts SET status = 'offered', assigned_worker_id = $2, offered_at = $3, offer_count = offer_count + 1
          WHERE id = $1 AND status = 'queued'`,
        [c.id, w, at],
      );
      return w;
    };
    if (p.escalate) {
      c.riskLevel = 'critical';
      await db.run(`UPDATE contacts SET risk_level = 'critical', priority = 2 WHERE id = $1`, [c.id]);
    }
    if (p.fate < 0.05 && o.leaveWaiting !== false) return; // still waiting
    const answerAt = plus(p.queuedAt, p.wait);
    if (p.fate < 0.2) {
      // abandoned, while queued or while an offer rings
      let w: string | undefined;
      if (p.declined) w = await offer(plus(p.queuedAt, p.wait / 2));
      await db.run(
        `UPDATE contacts SET status = 'abandoned', assigned_worker_id = NULL, abandoned_at = $2
          WHERE id = $1 AND status IN ('queued','offered')`,
        [c.id, answerAt],
      );
      if (w) release(w);
      c.status = 'abandoned';
      c.abandonedAt = answerAt;
      return;
    }
    if (p.declined) {
      const w = await offer(plus(p.queuedAt, p.wait / 3));
      await db.run(
        `UPDATE contacts SET status = 'queued', assigned_worker_id = NULL WHERE id = $1 AND status = 'offered'`,
        [c.id],
      );
      release(w);
    }
    let w = await offer(plus(p.queuedAt, p.wait / 2));
    await db.run(
      `UPDATE contacts SET status = 'active', answered_at = COALESCE(answered_at, $2) WHERE id = $1 AND status = 'offered'`,
      [c.id, answerAt],
    );
    c.status = 'active';
    c.answeredAt = answerAt;
    c.workerId = w;
    if (p.reclaimed) {
      // the operator's connection dropped past the grace: back in line (answered_at kept), taken by another
      await db.run(
        `UPDATE contacts SET status = 'queued', assigned_worker_id = NULL WHERE id = $1 AND status = 'active'`,
        [c.id],
      );
      const w2 = await offer(plus(answerAt, 70));
      release(w);
      w = w2;
      await db.run(
        `UPDATE contacts SET status = 'active', answered_at = COALESCE(answered_at, $2) WHERE id = $1 AND status = 'offered'`,
        [c.id, plus(answerAt, 75)],
      );
      c.workerId = w;
    }
    if (p.fate < 0.25) return; // still talking (keeps its operator)
    const endAt = plus(answerAt, p.handle * 0.8);
    await db.run(`UPDATE contacts SET status = 'wrap_up', ended_at = $2 WHERE id = $1 AND status = 'active'`, [
      c.id,
      endAt,
    ]);
    c.status = 'wrap_up';
    if (p.fate < 0.28) return; // still wrapping up
    const doneAt = plus(answerAt, p.handle);
    await db.tx(async (tx) => {
      await db.run(
        `INSERT INTO outcomes (contact_id, worker_id, service_types, target_group, summary, psychological, material_aid, problems)
         VALUES ($1, $2, $3, $4, '生成的记录', $5, $6, $7)`,
        [c.id, w, ...outcomeParams(p.outcome)],
        tx,
      );
      await db.run(
        `UPDATE contacts SET status = 'completed', completed_at = $2, ended_at = COALESCE(ended_at, $2), updated_at = $2
          WHERE id = $1 AND status IN ('active','wrap_up')`,
        [c.id, doneAt],
        tx,
      );
    });
    release(w);
    c.status = 'completed';
    c.completedAt = doneAt;
    c.outcome = p.outcome;
    if (p.amend) {
      const [types, group, psych, aid, problems] = outcomeParams(p.amended);
      await db.run(
        `UPDATE outcomes SET service_types = $2, target_group = $3, psychological = $4, material_aid = $5, problems = $6,
                summary = '修订后的记录'
          WHERE contact_id = $1`,
        [c.id, types, group, psych, aid, problems],
      );
      c.outcome = p.amended;
    }
    if (p.deleteOutcome) {
      await db.run('DELETE FROM outcomes WHERE contact_id = $1', [c.id]);
      c.outcome = undefined;
    }
  };

  const lanes = o.lanes ?? 6;
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < plans.length) await live(plans[next++]);
    }),
  );
  return out;
}

/** The figures of some generated contacts, computed in TypeScript from the definitions (docs/statistics.md). */
export function expectedFigures(cs: GenContact[]) {
  const answered = cs.filter((c) => c.answeredAt);
  const abandoned = cs.filter((c) => c.status === 'abandoned');
  const completed = cs.filter((c) => c.status === 'completed');
  const waitS = (c: GenContact) => (c.answeredAt!.getTime() - c.queuedAt.getTime()) / 1000;
  const inSl = answered.filter((c) => waitS(c) <= 20).length;
  const abandonedLate = abandoned.filter((c) => (c.abandonedAt!.getTime() - c.queuedAt.getTime()) / 1000 > 20).length;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    contacts: cs.length,
    answered: answered.length,
    abandoned: abandoned.length,
    served: completed.length,
    problemsResolved: cs.reduce(
      (n, c) => n + (c.outcome?.problems.filter((p) => p.resolution === 'resolved').length ?? 0),
      0,
    ),
    problemsRaised: cs.reduce((n, c) => n + (c.outcome?.problems.length ?? 0), 0),
    materialAidContacts: cs.filter((c) => c.outcome?.serviceTypes.includes('material_aid')).length,
    psychologicalSupportContacts: cs.filter((c) => c.outcome?.serviceTypes.includes('psychological_support')).length,
    highRiskContacts: cs.filter(
      (c) => c.riskLevel !== 'normal' || ['high', 'imminent'].includes(c.outcome?.riskAssessment ?? ''),
    ).length,
    avgSpeedOfAnswerSeconds: mean(answered.map(waitS)),
    avgHandleSeconds: mean(completed.map((c) => (c.completedAt!.getTime() - c.answeredAt!.getTime()) / 1000)),
    serviceLevel: answered.length + abandonedLate ? inSl / (answered.length + abandonedLate) : null,
    abandonmentRate:
      answered.length + abandoned.length ? abandoned.length / (answered.length + abandoned.length) : null,
  };
}

/** Asserts API figures equal expected ones (averages and rates to their rounding). */
export function expectFigures(actual: object, expected: ReturnType<typeof expectedFigures>, where = '') {
  for (const [k, v] of Object.entries(expected)) {
    const a = (actual as Record<string, unknown>)[k];
    if (v === null) {
      if (a !== null) throw new Error(`${where} ${k}: expected null, got ${a}`);
    } else if (k.startsWith('avg')) {
      if (typeof a !== 'number' || Math.abs(a - v) > 0.006) throw new Error(`${where} ${k}: expected ${v}, got ${a}`);
    } else if (k === 'serviceLevel' || k === 'abandonmentRate') {
      if (typeof a !== 'number' || Math.abs(a - v) > 0.00006) throw new Error(`${where} ${k}: expected ${v}, got ${a}`);
    } else if (a !== v) {
      throw new Error(`${where} ${k}: expected ${v}, got ${a}`);
    }
  }
}
