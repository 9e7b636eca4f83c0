import { Queue } from 'bullmq';
import { Db } from '../../libs/database/src';
import { SKILL_TOPICS } from '../../libs/routing/src';

/**
 * The routing simulation's independent watcher (see routing-simulation.test.ts): which waiting contact an on-duty
 * operator may take right now, derived in plain SQL from the rules of docs/routing.md, not from the product's query.
 */

/** Waiting contacts an on-duty operator may take now, by docs/routing.md "Who may take a contact" (one snapshot). */
export const MATCHABLE_NOW = `
  WITH RECURSIVE
  -- every station's ancestors: 0 the station, 1 its district, 2 its region, 3 the city
  up (station_id, unit_id, steps) AS (
    SELECT id, id, 0 FROM org_units WHERE level = 'station'
    UNION ALL
    SELECT up.station_id, u.parent_id, up.steps + 1 FROM up JOIN org_units u ON u.id = up.unit_id WHERE u.parent_id IS NOT NULL
  ),
  -- on duty: declared available, with at least one socket connected
  on_duty AS MATERIALIZED (
    SELECT a.user_id, a.station_id, u.languages, u.skills
      FROM agent_states a JOIN users u ON u.id = a.user_id
     WHERE u.active AND a.presence = 'available' AND EXISTS (SELECT 1 FROM agent_sessions s WHERE s.user_id = a.user_id)
  ),
  -- every unit with someone on duty inside it
  staffed AS MATERIALIZED (
    SELECT DISTINCT up.unit_id FROM on_duty d JOIN up ON up.station_id = d.station_id
  ),
  -- on-duty operators with what they hold (contacts offered to them, active or in wrap-up) and whether an offer is open
  free AS MATERIALIZED (
    SELECT d.user_id, d.station_id, d.languages, d.skills,
           count(c.id) FILTER (WHERE c.channel = 'phone') AS phones,
           count(c.id) FILTER (WHERE c.channel <> 'phone') AS chats,
           COALESCE(max(ss.chat_capacity), $5::int) AS capacity
      FROM on_duty d
      LEFT JOIN contacts c ON c.assigned_worker_id = d.user_id AND c.status IN ('offered', 'active', 'wrap_up')
      LEFT JOIN station_settings ss ON ss.station_id = d.station_id
     WHERE NOT EXISTS (SELECT 1 FROM offers o WHERE o.worker_id = d.user_id AND o.status = 'open')
     GROUP BY d.user_id, d.station_id, d.languages, d.skills
  ),
  waiting AS MATERIALIZED (
    SELECT c.id, c.station_id, c.channel, c.language, c.topics, c.preferred_worker_id, c.preferred_until,
           extract(epoch FROM now() - c.queued_at) AS waited,
           COALESCE(ss.overflow_district_seconds::float8, $1::float8) AS to_district,
           COALESCE(ss.overflow_region_seconds::float8, $2::float8) AS to_region,
           COALESCE(ss.overflow_city_seconds::float8, $3::float8) AS to_city,
           COALESCE(ss.skill_relax_seconds::float8, $4::float8) AS relax
      FROM contacts c LEFT JOIN station_settings ss ON ss.station_id = c.station_id
     WHERE c.status = 'queued'
  ),
  -- the pool: the level reached by waiting, or the first level with anyone on duty if that is higher (a level with
  -- nobody on duty is skipped at once); the city when nobody is on duty below it
  pool AS MATERIALIZED (
    SELECT w.id, wu.unit_id
      FROM (SELECT w.id, w.station_id, GREATEST(
                     (w.waited >= w.to_district)::int + (w.waited >= w.to_region)::int + (w.waited >= w.to_city)::int,
                     COALESCE((SELECT min(cu.steps) FROM up cu JOIN staffed ON staffed.unit_id = cu.unit_id
                                WHERE cu.station_id = w.station_id AND cu.steps <= 2), 3)) AS level
              FROM waiting w) w
      JOIN up wu ON wu.station_id = w.station_id AND wu.steps = w.level
  )
  SELECT w.id AS contact_id, min(f.user_id::text) AS operator_id
    FROM waiting w
    JOIN pool p ON p.id = w.id
    JOIN up fu ON fu.unit_id = p.unit_id
    JOIN free f ON f.station_id = fu.station_id
   WHERE
     -- load: a phone contact needs the operator free of everything; a chat no phone and room under the capacity
     CASE WHEN w.channel = 'phone' THEN f.phones + f.chats = 0 ELSE f.phones = 0 AND f.chats < f.capacity END
     -- skills, until the relaxation wait: the language, and every topic that names a skill
     AND (w.waited >= w.relax
          OR ((w.language IS NULL OR w.language = ANY(f.languages))
              AND NOT EXISTS (SELECT 1 FROM unnest(w.topics) t WHERE t = ANY($6::text[]) AND NOT t = ANY(f.skills))))
     -- continuity: reserved for the previous operator while the window lasts, if they are on duty
     AND NOT (w.preferred_worker_id IS NOT NULL AND w.preferred_until > now() AND w.preferred_worker_id <> f.user_id
              AND EXISTS (SELECT 1 FROM on_duty x WHERE x.user_id = w.preferred_worker_id))
   GROUP BY w.id`;
const SAMPLE_MS = 500;
/** Samples in a row, the router idle at each, in which a contact stayed matchable: a trigger that was lost. */
const LEFT_WAITING_SAMPLES = 4;

/**
 * Samples MATCHABLE_NOW until stopped. A pair that can be made while routing jobs are waiting or running is latency
 * (on a busy or slow machine, the queue may lag by many seconds); a pair that stays possible while the router has
 * nothing left to do (no job waiting or running before and after the sample) is a contact left waiting beside a
 * free operator: nothing will match them until the safety-net sweep. Reported after LEFT_WAITING_SAMPLES such samples.
 */
export function watchLeftWaiting(
  db: Db,
  queue: Queue,
  rules: { district: number; region: number; city: number; relax: number; chatCapacity: number },
) {
  const idleSeen = new Map<string, { first: number; samples: number }>();
  const leftWaiting: string[] = [];
  let samples = 0;
  let idleSamples = 0;
  let running = true;
  const routerIdle = async () => {
    const c = await queue.getJobCounts('wait', 'active', 'prioritized');
    return c.wait + c.active + c.prioritized === 0;
  };
  const done = (async () => {
    while (running) {
      const idleBefore = await routerIdle();
      const rows = await db.rows<{ contact_id: string; operator_id: string }>(MATCHABLE_NOW, [
        rules.district,
        rules.region,
        rules.city,
        rules.relax,
        rules.chatCapacity,
        SKILL_TOPICS,
      ]);
      const idle = idleBefore && (await routerIdle());
      const now = Date.now();
      samples++;
      if (idle) idleSamples++;
      const seen = new Set(rows.map((r) => r.contact_id));
      for (const id of [...idleSeen.keys()]) if (!seen.has(id)) idleSeen.delete(id);
      if (idle) {
        for (const r of rows) {
          const w = idleSeen.get(r.contact_id) ?? { first: now, samples: 0 };
          w.samples++;
          idleSeen.set(r.contact_id, w);
          if (w.samples === LEFT_WAITING_SAMPLES) {
            leftWaiting.push(
              `${r.contact_id} matchable for ${now - w.first} ms (${w.samples} samples with the router idle) while ` +
                `${r.operator_id} (and maybe others) could take it`,
            );
          }
        }
      }
      await new Promise((res) => setTimeout(res, SAMPLE_MS));
    }
  })();
  return {
    leftWaiting,
    samples: () => samples,
    idleSamples: () => idleSamples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}
