import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';
import { pathInRangeSql, pathUnderSql } from '@kapok/org';
import { RoutingRules, SKILL_TOPICS } from './routing-rules';

/*
 * The matching rules, in SQL, in one place. Parameters $1..$6 are the city-wide defaults, $7/$8 narrow the match
 * to one operator or one contact, $9 is now: the moment of the match, read from the Clock by the caller (once it
 * holds the match locks), so every rule that depends on time is decided against one instant the tests control, and
 * $10 narrows the operators considered to one unit of the tree (the unit the caller locked, see lockMatching).
 *
 * Who is on duty and with what load is read from the duty board (agent_states: station_path, on_duty, phones,
 * chats, offered; migration 1765400000000, kept by triggers as sessions, presence and contacts change), through two
 * partial indexes on the station path: "someone on duty below this unit" and "who below this unit has room" are
 * range scans of the unit's own operators, never of every operator on duty in the city.
 *
 * free     on-duty operators (inside $10) with room for one more contact, with their load.
 * A contact's pool widens with its wait: its station, then (after the overflow waits) its district, region, city.
 * A level with nobody on duty, or only operators who already let this contact go, is skipped at once.
 * Topic/language match is required until the skill-relax wait.
 * A repeat caller is reserved for their previous operator during the continuity window if that operator is on duty.
 */

/**
 * "`worker` let waiting contact `contact` go" (declined it or let its offer run out), optionally only since a moment:
 * one probe of offers_contact_idx (contact, worker) per pair looked at, never a list of every waiting contact's.
 */
/** When the let-go pause of an operator who lets a contact go now would have started (LET_GO_PAUSE_SECONDS, $11). */
const PAUSE_START = '$9::timestamptz - make_interval(secs => $11::float8)';
const letGo = (contact: string, worker: string, since?: string) =>
  `EXISTS (SELECT 1 FROM offers lg WHERE lg.contact_id = ${contact} AND lg.worker_id = ${worker}
             AND lg.status IN ('declined','expired')${since ? ` AND lg.closed_at > ${since}` : ''})`;

/**
 * "On duty with room" for the duty-board row `a`: nothing offered and no phone held (both a phone and a chat need it;
 * the predicate of agent_states_room_idx, so each use is a scan of that index). Chat capacity is checked beside it.
 */
const ROOM = (a: string) => `${a}.on_duty AND ${a}.phones = 0 AND ${a}.offered = 0`;

/**
 * An operator (not a supervisor: on /agent they take transfers only) on duty whose row is `d`, at a station below
 * `unit`. (The role is read by key per row, so an EXISTS stops at the first one found instead of hashing the users.)
 */
const onDutyUnder = (d: string, unit: string) => `${d}.on_duty AND ${pathInRangeSql(`${d}.station_path`, unit)}
       AND (SELECT du.role FROM users du WHERE du.id = ${d}.user_id) = 'operator'`;

/**
 * "Someone on duty at the contact's level `up` may still take it": someone on duty in that unit who has not let this
 * contact go (declined it or let it run out). Otherwise that level is skipped at once like an empty one: a call
 * declined by the one operator on duty at its station rings the district at once.
 */
const staffedFor = (up: number, stationPath = 'cs.path') => `EXISTS (SELECT 1 FROM agent_states d
       WHERE ${onDutyUnder('d', `kapok_ancestor_path(${stationPath}, ${up})`)}
         AND NOT ${letGo('c.id', 'd.user_id')})`;

/** The overflow level a contact's wait alone has reached at $9: 0 its station, 1 district, 2 region, 3 city. */
const TIME_LEVEL = `((extract(epoch FROM $9::timestamptz - c.queued_at) >= COALESCE(css.overflow_district_seconds, $1))::int
           + (extract(epoch FROM $9::timestamptz - c.queued_at) >= COALESCE(css.overflow_region_seconds, $2))::int
           + (extract(epoch FROM $9::timestamptz - c.queued_at) >= COALESCE(css.overflow_city_seconds, $3))::int)`;

/** A waiting contact's row as matching reads it (`c`: the contact; the caller adds the WHERE). */
const WAITING_ROW = `SELECT c.id, c.station_id, c.channel, c.language, c.topics, c.priority, c.queued_at,
           c.preferred_worker_id, c.preferred_until, cs.path AS cpath,
           c.transfer_worker_id, c.transfer_supervisor, tu.path AS tpath,
           -- transferred to an operator, it waits for them while they are on duty and have not let it go; then it is
           -- routed like any contact of its station (its place kept)
           (c.transfer_worker_id IS NOT NULL
             AND EXISTS (SELECT 1 FROM agent_states td JOIN users tdu ON tdu.id = td.user_id AND tdu.role = 'operator'
                          WHERE td.user_id = c.transfer_worker_id AND td.on_duty)
             AND NOT ${letGo('c.id', 'c.transfer_worker_id')})
             AS held_for_worker,
           -- who transferred it (while it waits for its target): offered it back only when nobody else can take it
           CASE WHEN c.transfer_worker_id IS NOT NULL OR c.transfer_supervisor OR c.transfer_unit_id IS NOT NULL
                THEN (SELECT t.from_user_id FROM contact_transfers t WHERE t.contact_id = c.id ORDER BY t.n DESC LIMIT 1)
           END AS transfer_from,
           extract(epoch FROM $9::timestamptz - c.queued_at) AS waited,
           COALESCE(css.skill_relax_seconds, $4) AS relax,
           css.offer_timeout_seconds::float8 AS offer_timeout,
           ${TIME_LEVEL} AS time_level,
           GREATEST(${TIME_LEVEL},
             CASE WHEN ${staffedFor(0)} THEN 0 WHEN ${staffedFor(1)} THEN 1 WHEN ${staffedFor(2)} THEN 2
                  ELSE 3 END) AS level,
           (c.preferred_worker_id IS NOT NULL AND c.preferred_until > $9::timestamptz
             AND EXISTS (SELECT 1 FROM agent_states pa WHERE pa.user_id = c.preferred_worker_id AND pa.on_duty))
             AS reserved
      FROM contacts c
      JOIN org_units cs ON cs.id = c.station_id
      LEFT JOIN station_settings css ON css.station_id = c.station_id
      LEFT JOIN org_units tu ON tu.id = c.transfer_unit_id`;

/**
 * The CTEs of every matching query, narrowed to what the query is about: one operator ($7), one contact ($8), the
 * operators of one unit ($10). Each query's text names only the narrowing it uses (no `$n IS NULL OR …`), so the
 * plan Postgres keeps for a prepared statement is as good as one made for the values (see Db.prepared).
 */
const ctes = (narrow: { operator?: boolean; contact?: boolean; unit?: boolean } = {}) => `
  typed_params AS (SELECT $1::numeric, $2::numeric, $3::numeric, $4::numeric, $5::int, $6::text[], $7::uuid, $8::uuid,
                          $9::timestamptz, $10::text, $11::float8),
  -- operators with room (ROOM): a phone needs chats = 0 as well, a chat chats < capacity (ELIGIBLE)
  free AS (
    SELECT a.user_id, a.station_id, a.station_path AS path, u.languages, u.skills, a.idle_since, u.role,
           COALESCE(ss.chat_capacity, $5) AS capacity, a.phones, a.chats, a.offered
      FROM agent_states a
      JOIN users u ON u.id = a.user_id AND u.active
      LEFT JOIN station_settings ss ON ss.station_id = a.station_id
     WHERE ${ROOM('a')}
       ${narrow.operator ? 'AND a.user_id = $7::uuid' : ''}
       ${narrow.unit ? `AND ${pathInRangeSql('a.station_path', '$10::text')}` : ''}
  ),
  waiting AS (
    ${WAITING_ROW}
     WHERE c.status = 'queued' ${narrow.contact ? 'AND c.id = $8::uuid' : ''}
  )`;

const SKILL_MATCH = `((c.language IS NULL OR c.language = ANY(f.languages))
  AND NOT EXISTS (SELECT 1 FROM unnest(c.topics) t WHERE t = ANY($6::text[]) AND NOT (t = ANY(f.skills))))`;

/**
 * Operator `f` is inside waiting contact `c`'s overflow pool: `f.path` is below the unit `c.level` levels above c's
 * station. The same test without computing c.level: f's distance in the tree (0 the same station, 1 the same district,
 * 2 the same region, 3 the same city) is at most c.level = GREATEST(time level, skip level) when it is at most the
 * time level, or when every level below that distance is skipped — and since the units nest, "levels 0 … k-1 have
 * nobody who may take it" is "level k-1 has nobody". So a contact of the operator's own station costs no probe, one
 * whose wait already reached the operator costs none, and any other one probe of the duty board, where computing
 * c.level first costs up to three for every waiting contact looked at.
 */
const IN_OVERFLOW_POOL = `(CASE
        WHEN ${pathUnderSql('f.path', 'c.cpath')} THEN true
        WHEN ${pathUnderSql('f.path', 'kapok_ancestor_path(c.cpath, 1)')} THEN c.time_level >= 1 OR NOT ${staffedFor(0, 'c.cpath')}
        WHEN ${pathUnderSql('f.path', 'kapok_ancestor_path(c.cpath, 2)')} THEN c.time_level >= 2 OR NOT ${staffedFor(1, 'c.cpath')}
        WHEN ${pathUnderSql('f.path', 'kapok_ancestor_path(c.cpath, 3)')} THEN c.time_level >= 3 OR NOT ${staffedFor(2, 'c.cpath')}
        ELSE false END)`;

/*
 * A transferred contact (docs/conversations.md) waits for its target only: that operator (while they are on duty and
 * have not let it go: then it falls back to its own pool); the station's supervisors (who take contacts only this
 * way); or operators of that unit. Otherwise operators of its pool, as above.
 */
const POOL = `CASE
      WHEN c.held_for_worker THEN f.user_id = c.transfer_worker_id
      WHEN c.transfer_supervisor THEN f.role = 'supervisor'
        AND (${pathUnderSql('c.cpath', 'f.path')}
             OR EXISTS (SELECT 1 FROM supervisor_stations sv WHERE sv.user_id = f.user_id AND sv.station_id = c.station_id))
      WHEN c.tpath IS NOT NULL THEN f.role = 'operator' AND ${pathUnderSql('f.path', 'c.tpath')}
      ELSE f.role = 'operator' AND ${IN_OVERFLOW_POOL} END`;

/**
 * The level whose unit a match for a waiting contact locks (MatchingRepository.poolOf): its overflow level, or for a
 * transferred contact the whole tree (TRANSFERRED_LEVEL): its target (an operator, a unit, the station's supervisors
 * homed anywhere above it) is not inside its overflow pool, and transfers are rare enough to match under the root.
 */
export const TRANSFERRED_LEVEL = 99;
const LOCK_LEVEL = `(CASE WHEN c.held_for_worker OR c.transfer_supervisor OR c.tpath IS NOT NULL
                          THEN ${TRANSFERRED_LEVEL} ELSE c.level END)`;

const ELIGIBLE = `
      ${POOL}
  AND ((c.channel = 'phone' AND f.chats = 0) OR (c.channel <> 'phone' AND f.chats < f.capacity))
  AND (c.waited >= c.relax OR c.held_for_worker OR c.transfer_supervisor OR ${SKILL_MATCH})
  AND (NOT c.reserved OR f.user_id = c.preferred_worker_id)`;

/**
 * The matching locks' key (kapok_lock_match, migration 1765110000000): the root of the tree is this one-key advisory
 * lock, every match holds it at least shared, a match at the city level exclusively. (Exported for the fault tests,
 * which hold it exclusively to catch a router in the middle of its jobs.)
 */
export const MATCH_LOCK = 7235100;

/** Where a waiting contact may be offered at a moment: its overflow level and the unit of that level. */
export interface ContactPool {
  level: number;
  path: string;
  /** Someone on duty in that unit has room for one more contact of its channel (before skills and capacity). */
  anyoneWithRoom: boolean;
  /** The path of the contact's own station (inside every pool it has). */
  stationPath: string;
}

export interface ContactLevel {
  id: string;
  level: number;
  waited: number;
}

@Injectable()
export class MatchingRepository {
  constructor(
    private readonly db: Db,
    private readonly rules: RoutingRules,
  ) {}

  private params(
    operatorId: string | null,
    contactId: string | null,
    now: Date,
    pool: string | null = null,
  ): unknown[] {
    const d = this.rules.defaults;
    return [
      d.overflowDistrictSeconds,
      d.overflowRegionSeconds,
      d.overflowCitySeconds,
      d.skillRelaxSeconds,
      d.chatCapacity,
      SKILL_TOPICS,
      operatorId,
      contactId,
      now,
      pool,
      d.letGoPauseSeconds,
    ];
  }

  /**
   * The operator inside `pool` (the unit the caller locked) who should be offered this waiting contact at `now`, if
   * any: those who have not let it go first (one who did, only once LET_GO_PAUSE_SECONDS have passed since), then
   * those who did not transfer it away, then own station, skill match, operators this contact was already
   * offered to last, fewest chats, idle longest. Also answers the level whose unit a match for it locks at `now`
   * (undefined: no longer waiting): a level above the locked unit means the caller must lock the wider unit and ask
   * again. `firstChoice`: the one picked has not let it go and did not transfer it away — asked with `pool` = the
   * contact's own station, such a pick is the best of any wider pool too (own station comes next in the order), so
   * the caller asks the wider pool only when it is not (MakeOffers.forContact).
   */
  async bestOperatorFor(
    contactId: string,
    now: Date,
    pool: string,
    tx: Tx,
  ): Promise<{ level?: number; userId?: string; firstChoice?: boolean; offerTimeoutSeconds: number }> {
    const [row] = await this.db.prepared<{
      level: number | null;
      user_id: string | null;
      first_choice: boolean | null;
      offer_timeout: number | null;
    }>(
      'kapok_match_best_operator',
      `WITH ${ctes({ contact: true, unit: true })},
       pick AS (
         SELECT f.user_id, NOT ${letGo('c.id', 'f.user_id')} AND f.user_id IS DISTINCT FROM c.transfer_from AS first_choice
           FROM waiting c CROSS JOIN free f
          WHERE ${ELIGIBLE}
            -- not back to one who let it go until the pause is over (MakeOffers schedules the moment it is)
            AND NOT ${letGo('c.id', 'f.user_id', PAUSE_START)}
          ORDER BY ${letGo('c.id', 'f.user_id')},
                   f.user_id IS NOT DISTINCT FROM c.transfer_from,
                   (f.station_id = c.station_id) DESC, ${SKILL_MATCH} DESC,
                   (SELECT max(o.created_at) FROM offers o WHERE o.contact_id = c.id AND o.worker_id = f.user_id) NULLS FIRST,
                   f.chats, f.idle_since, f.user_id
          LIMIT 1)
       SELECT w.level, p.user_id, p.first_choice, w.offer_timeout
         FROM (SELECT 1) one LEFT JOIN (SELECT ${LOCK_LEVEL} AS level, c.offer_timeout FROM waiting c) w ON true
         LEFT JOIN pick p ON true`,
      this.params(null, contactId, now, pool),
      tx,
    );
    return {
      level: row?.level ?? undefined,
      userId: row?.user_id ?? undefined,
      firstChoice: row?.first_choice ?? undefined,
      offerTimeoutSeconds: this.offerTimeout(row?.offer_timeout),
    };
  }

  /**
   * The pool of a waiting contact at `now` (undefined when it is not waiting): what a match for it must lock, and
   * whether anyone on duty in that unit has room for it at all (a loose test: no skills, no capacity setting). When
   * nobody has, the caller need not lock: an operator who gets room later matches from their side, after their own
   * change committed, and sees this contact (so no wake-up is lost); with a queue beyond capacity the contacts'
   * timers then cost one read each instead of waiting in line for the wider units' locks.
   */
  async poolOf(contactId: string, now: Date): Promise<ContactPool | undefined> {
    const [row] = await this.db.prepared<{ level: number; path: string; station_path: string; anyone: boolean }>(
      'kapok_match_contact_pool',
      `WITH ${ctes({ contact: true })}, pool AS (SELECT c.channel, c.cpath, ${LOCK_LEVEL} AS level, kapok_ancestor_path(c.cpath, ${LOCK_LEVEL}) AS path
                              FROM waiting c)
       SELECT p.level, p.path, p.cpath AS station_path,
              EXISTS (SELECT 1 FROM agent_states a
                       WHERE ${ROOM('a')} AND (p.channel <> 'phone' OR a.chats = 0)
                         AND ${pathInRangeSql('a.station_path', 'p.path')}) AS anyone
         FROM pool p`,
      this.params(null, contactId, now),
    );
    return row
      ? { level: row.level, path: row.path, stationPath: row.station_path, anyoneWithRoom: row.anyone }
      : undefined;
  }

  /**
   * The waiting contact this free operator should be offered at `now`, if any: highest priority, then longest waiting.
   * Contacts this operator already declined or let expire, or transferred away, are left to the contact's own
   * routing, which gives them to the next operator first and back to this one only when nobody else can take them.
   * The queue is walked in that order (contacts_queued_order_idx) and each contact tested in turn (the LATERAL, kept
   * from being flattened by OFFSET 0), so the walk stops at the first one the operator may take: a match costs the
   * contacts ahead of it that this operator may not take, not the whole queue.
   */
  async bestContactFor(
    operatorId: string,
    now: Date,
    tx: Tx,
  ): Promise<{ contactId: string; offerTimeoutSeconds: number } | undefined> {
    const [row] = await this.db.prepared<{ id: string; offer_timeout: number | null }>(
      'kapok_match_best_contact',
      `WITH ${ctes({ operator: true })}
       SELECT q.id, ok.offer_timeout
         FROM (SELECT w.id, w.priority, w.queued_at FROM contacts w WHERE w.status = 'queued'
                ORDER BY w.priority DESC, w.queued_at, w.id OFFSET 0) q
        CROSS JOIN LATERAL (
              SELECT c.offer_timeout FROM (${WAITING_ROW} WHERE c.id = q.id AND c.status = 'queued') c CROSS JOIN free f
               WHERE ${ELIGIBLE}
                 AND NOT ${letGo('c.id', 'f.user_id')}
                 AND f.user_id IS DISTINCT FROM c.transfer_from
              OFFSET 0) ok
        WHERE EXISTS (SELECT 1 FROM free)
        ORDER BY q.priority DESC, q.queued_at, q.id
        LIMIT 1`,
      this.params(operatorId, null, now),
      tx,
    );
    return row && { contactId: row.id, offerTimeoutSeconds: this.offerTimeout(row.offer_timeout) };
  }

  /**
   * What follows an operator letting this contact go, as far as the whole city of its station goes (the widest
   * pool): how many other operators are on duty there, and how many contacts there are not answered yet.
   */
  async afterLetGo(contactId: string, workerId: string): Promise<{ othersOnDuty: number; waiting: number }> {
    const row = await this.db.one<{ others: number; waiting: number }>(
      `WITH city AS (SELECT kapok_ancestor_path(s.path, 3) AS path FROM contacts c JOIN org_units s ON s.id = c.station_id
                      WHERE c.id = $1)
       SELECT (SELECT count(*)::int FROM agent_states a
                WHERE a.on_duty AND a.user_id <> $2 AND ${pathInRangeSql('a.station_path', '(SELECT path FROM city)')})
                AS others,
              (SELECT count(*)::int FROM contacts w JOIN org_units s ON s.id = w.station_id
                WHERE w.status IN ('queued','offered') AND ${pathUnderSql('s.path', '(SELECT path FROM city)')}) AS waiting`,
      [contactId, workerId],
    );
    return { othersOnDuty: row?.others ?? 0, waiting: row?.waiting ?? 0 };
  }

  /**
   * Takes the match locks of a unit for the rest of the transaction (transaction-level advisory locks): the unit
   * exclusively, every unit above it shared, from the root down (kapok_lock_match). Two matches that could pick the
   * same operator or the same contact never run at once — a match for a contact locks the unit of its pool, a match
   * for an operator their station, and either pool contains the other or they are disjoint — and a match that waited
   * sees everything the one before it committed. Matches in unrelated stations do not wait for each other.
   */
  async lockMatching(path: string, tx: Tx): Promise<void> {
    await this.db.run('SELECT kapok_lock_match($1)', [path], tx);
  }

  /** Cheap check made before taking the match locks: most triggers find nothing to do. */
  async isWaiting(contactId: string): Promise<boolean> {
    return !!(await this.db.one(`SELECT 1 FROM contacts WHERE id = $1 AND status = 'queued'`, [contactId]));
  }

  /**
   * Cheap check made before taking the match locks: the operator is on duty with room and something waits. Answers
   * the path of their station (the unit a match for them locks).
   */
  async hasRoom(operatorId: string): Promise<string | undefined> {
    const row = await this.db.one<{ path: string }>(
      `SELECT a.station_path AS path FROM agent_states a
        WHERE a.user_id = $1 AND ${ROOM('a')}
          AND EXISTS (SELECT 1 FROM contacts c WHERE c.status = 'queued')`,
      [operatorId],
    );
    return row?.path;
  }

  /** Waiting contacts in routing order (for the reconcile sweep), with their overflow level at `now`. */
  async waitingContacts(limit: number, now: Date): Promise<ContactLevel[]> {
    return this.db.rows<ContactLevel>(
      `WITH ${ctes()}
       SELECT c.id, c.level, c.waited::float8 AS waited FROM waiting c ORDER BY c.priority DESC, c.queued_at LIMIT ${Number(limit)}`,
      this.params(null, null, now),
    );
  }

  /**
   * The safety-net sweep's set (Reconcile): waiting contacts, in routing order, that some operator on duty could be
   * offered right now by the rules above (their pool at `now`, so an overflow step whose timer was lost counts; not
   * back to one who let them go within the pause). One statement whatever the backlog: with a queue beyond capacity
   * and nobody free it finds nothing at once, instead of a match attempt per waiting contact.
   */
  async matchableContacts(limit: number, now: Date): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `WITH ${ctes()}
       SELECT c.id FROM waiting c
        WHERE EXISTS (SELECT 1 FROM free f
                       WHERE ${ELIGIBLE}
                         AND NOT ${letGo('c.id', 'f.user_id', PAUSE_START)})
        ORDER BY c.priority DESC, c.queued_at, c.id
        LIMIT ${Number(limit)}`,
      this.params(null, null, now),
    );
    return rows.map((r) => r.id);
  }

  /** Operators on duty with room for one more contact, idle longest first (forOperator checks each again). */
  async operatorsWithRoom(now: Date): Promise<string[]> {
    const rows = await this.db.rows<{ user_id: string }>(
      `WITH ${ctes()}
       SELECT f.user_id FROM free f WHERE f.chats < f.capacity
        ORDER BY f.idle_since, f.user_id`,
      this.params(null, null, now),
    );
    return rows.map((r) => r.user_id);
  }

  /**
   * When a waiting contact's pool or rules change by the clock (moments after `now`, soonest first): each overflow
   * step, the skill relaxation, the end of the continuity reservation. Timer jobs at these moments route it again.
   */
  async ruleTimes(contactId: string, now: Date): Promise<Date[]> {
    const d = this.rules.defaults;
    const row = await this.db.one<{ times: Date[] }>(
      `SELECT ARRAY[
          c.queued_at + make_interval(secs => COALESCE(ss.overflow_district_seconds, $2)),
          c.queued_at + make_interval(secs => COALESCE(ss.overflow_region_seconds, $3)),
          c.queued_at + make_interval(secs => COALESCE(ss.overflow_city_seconds, $4)),
          c.queued_at + make_interval(secs => COALESCE(ss.skill_relax_seconds, $5)),
          c.preferred_until] AS times
         FROM contacts c LEFT JOIN station_settings ss ON ss.station_id = c.station_id WHERE c.id = $1`,
      [contactId, d.overflowDistrictSeconds, d.overflowRegionSeconds, d.overflowCitySeconds, d.skillRelaxSeconds],
    );
    return (row?.times ?? [])
      .filter((t): t is Date => !!t && new Date(t).getTime() > now.getTime())
      .sort((a, b) => new Date(a).getTime() - new Date(b).getTime());
  }

  /**
   * City-wide, for the metrics: contacts not answered yet (queued or ringing), the longest wait, and the queued ones
   * whose pool at `now` (their level: station, district, region or city, as the rules above widen it) has nobody on
   * duty, so that no offer can be made to anyone.
   */
  async waitingNow(now: Date): Promise<{ waiting: number; oldestSeconds: number; unstaffed: number }> {
    const row = await this.db.one<{ waiting: number; oldest: number; unstaffed: number }>(
      `WITH ${ctes()},
       pending AS (SELECT min(queued_at) AS first, count(*)::int AS n FROM contacts WHERE status IN ('queued','offered'))
       SELECT (SELECT n FROM pending) AS waiting,
              COALESCE(extract(epoch FROM $9::timestamptz - (SELECT first FROM pending)), 0)::float8 AS oldest,
              (SELECT count(*)::int FROM waiting c
                WHERE NOT EXISTS (SELECT 1 FROM agent_states d
                                   WHERE ${onDutyUnder('d', 'kapok_ancestor_path(c.cpath, c.level)')})) AS unstaffed`,
      this.params(null, null, now),
    );
    return { waiting: row?.waiting ?? 0, oldestSeconds: Math.max(0, row?.oldest ?? 0), unstaffed: row?.unstaffed ?? 0 };
  }

  /**
   * Active operator accounts by state, as the live board counts them: holding a contact (ringing or talking) is
   * busy, then wrapping up, then what a signed-in operator declared; nobody signed in (no socket) is offline.
   */
  async operatorsByState(): Promise<Record<string, number>> {
    const rows = await this.db.rows<{ state: string; n: number }>(
      `WITH held AS (
         SELECT assigned_worker_id AS uid, bool_or(status IN ('offered','active')) AS busy, bool_or(status = 'wrap_up') AS wrap
           FROM contacts WHERE status IN ('offered','active','wrap_up') AND assigned_worker_id IS NOT NULL
          GROUP BY assigned_worker_id)
       SELECT CASE WHEN h.busy THEN 'busy' WHEN h.wrap THEN 'wrap_up'
                   WHEN s.signed_in AND a.presence = 'available' THEN 'available'
                   WHEN s.signed_in AND a.presence = 'away' THEN 'away'
                   ELSE 'offline' END AS state,
              count(*)::int AS n
         FROM users u
         LEFT JOIN agent_states a ON a.user_id = u.id
         LEFT JOIN held h ON h.uid = u.id
         LEFT JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM agent_sessions x WHERE x.user_id = u.id) AS signed_in) s ON true
        WHERE u.role = 'operator' AND u.active
        GROUP BY 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** How long an offer of a contact rings: its station's setting (read with the match), else the default. */
  private offerTimeout(stationSetting: number | null | undefined): number {
    return stationSetting ?? this.rules.defaults.offerTimeoutSeconds;
  }
}
