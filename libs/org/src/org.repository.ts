import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';
// Types only: org-scope.ts (OrgAccess) injects this repository.
import type { OrgGrant, OrgScope } from './org-scope';
import { HotlineView, OrgLevel, OrgUnitView } from './org.types';

interface OrgUnitRow {
  id: string;
  name: string;
  level: OrgLevel;
  parent_id: string | null;
  path: string;
  code: string | null;
  closed_at: Date | null;
}

interface HotlineRow {
  id: string;
  number: string;
  name: string;
  station_id: string;
  suspended_at: Date | null;
}

/** A unit with its materialised path ('/<city id>/…/<own id>/'). */
export type OrgUnitWithPath = OrgUnitView & { path: string };

/** A unit as administration reads it: also its code and whether it is closed. */
export type OrgUnitRecord = OrgUnitWithPath & { code: string | null; closedAt: Date | null };

/** What is still attached to a unit (closing it is refused while any of it is). */
export interface UnitAttachments {
  /** Lines at the unit that are not suspended. */
  openLines: number;
  /** Active accounts homed at the unit. */
  activePeople: number;
  /** Active supervisors who supervise the unit (a station) from elsewhere. */
  supervisors: number;
  /** Child units not closed. */
  openUnits: number;
}

/** The first few of what is attached to a unit, by name (line numbers, usernames, unit names). */
export interface AttachedNames {
  lines: string[];
  people: string[];
  units: string[];
}
const ATTACHED_NAMES_SHOWN = 5;

/** A line as intake and administration read it: also whether it is suspended. */
export type HotlineRecord = HotlineView & { suspendedAt: Date | null };

/** A line with its station, for the admin screens. */
export type HotlineWithStation = HotlineRecord & {
  stationName: string;
  stationCode: string | null;
  stationPath: string;
};

@Injectable()
export class OrgRepository {
  constructor(private readonly db: Db) {}

  /**
   * Creates a unit below its parent (none: a root). With a `code` already taken by another unit (whatever its case)
   * nothing is created: `codeTaken` (answered 409 by administration).
   */
  async createUnit(
    unit: { name: string; level: OrgLevel; parentId: string | null; code?: string | null },
    tx?: Tx,
  ): Promise<OrgUnitRecord> {
    const created = await this.createUnitUnlessCodeTaken(unit, tx);
    if (created === 'codeTaken') throw new Error(`org unit code ${unit.code} is taken`);
    return created;
  }

  /** createUnit, answering `'codeTaken'` instead of throwing when the code is another unit's. */
  async createUnitUnlessCodeTaken(
    unit: { name: string; level: OrgLevel; parentId: string | null; code?: string | null },
    tx?: Tx,
  ): Promise<OrgUnitRecord | 'codeTaken'> {
    const parent = unit.parentId
      ? await this.db.one<{ path: string }>('SELECT path FROM org_units WHERE id = $1', [unit.parentId], tx)
      : undefined;
    if (unit.parentId && !parent) throw new Error(`parent org unit ${unit.parentId} not found`);
    // ON CONFLICT without a target: the path is always new, so only the code can conflict.
    const row = await this.db.one<OrgUnitRow>(
      `WITH new_id AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_units (id, name, level, parent_id, path, code)
       SELECT id, $1, $2, $3, $4 || id::text || '/', $5 FROM new_id
       ON CONFLICT DO NOTHING
       RETURNING *`,
      [unit.name, unit.level, unit.parentId, parent?.path ?? '/', unit.code ?? null],
      tx,
    );
    return row ? toRecord(row) : 'codeTaken';
  }

  async createHotline(h: { number: string; name: string; stationId: string }, tx?: Tx): Promise<HotlineRecord> {
    const created = await this.createHotlineUnlessTaken(h, tx);
    if (!created) throw new Error(`hotline number ${h.number} is taken`);
    return created;
  }

  /** Adds a line; undefined (nothing written) when the number is already another line's. */
  async createHotlineUnlessTaken(
    h: { number: string; name: string; stationId: string },
    tx?: Tx,
  ): Promise<HotlineRecord | undefined> {
    const row = await this.db.one<HotlineRow>(
      `INSERT INTO hotlines (number, name, station_id) VALUES ($1, $2, $3)
       ON CONFLICT (number) DO NOTHING RETURNING *`,
      [h.number, h.name, h.stationId],
      tx,
    );
    return row && toHotlineRecord(row);
  }

  /**
   * Locks the unit's row until `tx` ends and returns it: `update` (closing, moving, renaming it) or `share`
   * (attaching a line, a person or a child unit to it), so that nothing is attached to a unit while it is being
   * closed, and a unit is not closed while something is being attached.
   */
  async lockUnit(id: string, mode: 'update' | 'share', tx: Tx): Promise<OrgUnitRecord | undefined> {
    const row = await this.db.one<OrgUnitRow>(
      `SELECT * FROM org_units WHERE id = $1 FOR ${mode === 'update' ? 'UPDATE' : 'SHARE'}`,
      [id],
      tx,
    );
    return row && toRecord(row);
  }

  async findUnitByCode(code: string, tx?: Tx): Promise<OrgUnitRecord | undefined> {
    const row = await this.db.one<OrgUnitRow>('SELECT * FROM org_units WHERE lower(code) = lower($1)', [code], tx);
    return row && toRecord(row);
  }

  /** The units with these codes (whatever their case; unknown codes are left out). */
  async findUnitsByCode(codes: string[], tx?: Tx): Promise<OrgUnitRecord[]> {
    if (!codes.length) return [];
    const rows = await this.db.rows<OrgUnitRow>(
      'SELECT * FROM org_units WHERE lower(code) = ANY($1::text[])',
      [codes.map((c) => c.toLowerCase())],
      tx,
    );
    return rows.map(toRecord);
  }

  /**
   * Changes a unit's name, code and closing time (only the fields given; `closedAt: null` reopens it). Answers
   * 'codeTaken' (nothing written) when the code is another unit's.
   */
  async updateUnit(
    id: string,
    change: { name?: string; code?: string | null; closedAt?: Date | null },
    tx: Tx,
  ): Promise<OrgUnitRecord | 'codeTaken' | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
    if (change.name !== undefined) set('name', change.name);
    if (change.code !== undefined) set('code', change.code);
    if (change.closedAt !== undefined) set('closed_at', change.closedAt);
    if (!sets.length) return this.findUnit(id, tx);
    if (change.code) {
      const taken = await this.db.one(
        'SELECT 1 FROM org_units WHERE lower(code) = lower($1) AND id <> $2',
        [change.code, id],
        tx,
      );
      if (taken) return 'codeTaken';
    }
    const row = await this.db.one<OrgUnitRow>(
      `UPDATE org_units SET ${sets.join(', ')} WHERE id = $1 RETURNING *`,
      params,
      tx,
    );
    return row && toRecord(row);
  }

  /**
   * Moves a unit (and so its whole subtree) below another parent: its parent_id and the materialised path of every
   * unit of the subtree, in one statement of the caller's transaction. The caller checks that the new parent is not
   * in the subtree (the paths would loop).
   */
  async moveUnit(id: string, newParentId: string, tx: Tx): Promise<OrgUnitRecord | undefined> {
    // A subtree path is the old parent's path, then '<unit id>/…': the part from the unit's id on is kept.
    // (LIKE on the prefix, as org-scope.ts's pathUnderSql writes it; paths hold no LIKE wildcard.)
    const moved = await this.db.run(
      `WITH unit AS (SELECT id, path FROM org_units WHERE id = $1),
            parent AS (SELECT path FROM org_units WHERE id = $2)
       UPDATE org_units u
          SET path = parent.path || substr(u.path, length(unit.path) - length(unit.id::text)),
              parent_id = CASE WHEN u.id = unit.id THEN $2::uuid ELSE u.parent_id END
         FROM unit, parent
        WHERE u.path LIKE unit.path || '%'`,
      [id, newParentId],
      tx,
    );
    return moved.rowCount ? this.findUnit(id, tx) : undefined;
  }

  /**
   * What is still attached to a unit: open lines, active people, supervisors of it, open child units; with the first
   * few of each by name (what a refusal to close it names).
   */
  async attachmentsOf(id: string, tx?: Tx): Promise<UnitAttachments & { names: AttachedNames }> {
    const row = await this.db.one<UnitAttachments & { names: AttachedNames }>(
      `SELECT (SELECT count(*)::int FROM hotlines h WHERE h.station_id = $1 AND h.suspended_at IS NULL) AS "openLines",
              (SELECT count(*)::int FROM users p WHERE p.org_unit_id = $1 AND p.active) AS "activePeople",
              (SELECT count(*)::int FROM supervisor_stations ss JOIN users p ON p.id = ss.user_id
                WHERE ss.station_id = $1 AND p.active AND p.org_unit_id <> $1) AS supervisors,
              (SELECT count(*)::int FROM org_units c WHERE c.parent_id = $1 AND c.closed_at IS NULL) AS "openUnits",
              json_build_object(
                'lines', ARRAY(SELECT h.number FROM hotlines h WHERE h.station_id = $1 AND h.suspended_at IS NULL
                                ORDER BY h.number LIMIT $2),
                'people', ARRAY(SELECT p.username FROM users p WHERE p.active AND (p.org_unit_id = $1 OR EXISTS (
                                  SELECT 1 FROM supervisor_stations ss WHERE ss.user_id = p.id AND ss.station_id = $1))
                                 ORDER BY p.username LIMIT $2),
                'units', ARRAY(SELECT c.name FROM org_units c WHERE c.parent_id = $1 AND c.closed_at IS NULL
                                ORDER BY c.name LIMIT $2)) AS names`,
      [id, ATTACHED_NAMES_SHOWN],
      tx,
    );
    return row!;
  }

  /** The units in the scope in tree order, with their codes, closing times and what is attached to each. */
  async unitRecordsIn(scope: OrgScope): Promise<(OrgUnitRecord & { attached: UnitAttachments })[]> {
    const params: unknown[] = [];
    const rows = await this.db.rows<OrgUnitRow & UnitAttachments>(
      `SELECT u.*,
              COALESCE(l.n, 0) AS "openLines", COALESCE(p.n, 0) AS "activePeople",
              COALESCE(sv.n, 0) AS supervisors, COALESCE(c.n, 0) AS "openUnits"
         FROM org_units u
         LEFT JOIN (SELECT station_id, count(*)::int AS n FROM hotlines WHERE suspended_at IS NULL
                     GROUP BY station_id) l ON l.station_id = u.id
         LEFT JOIN (SELECT org_unit_id, count(*)::int AS n FROM users WHERE active GROUP BY org_unit_id) p
                ON p.org_unit_id = u.id
         LEFT JOIN (SELECT ss.station_id, count(*)::int AS n FROM supervisor_stations ss
                      JOIN users su ON su.id = ss.user_id AND su.active AND su.org_unit_id <> ss.station_id
                     GROUP BY ss.station_id) sv ON sv.station_id = u.id
         LEFT JOIN (SELECT parent_id, count(*)::int AS n FROM org_units WHERE closed_at IS NULL GROUP BY parent_id) c
                ON c.parent_id = u.id
        WHERE ${scope.sql('u', params)}
        ORDER BY u.path`,
      params,
    );
    return rows.map((r) => ({
      ...toRecord(r),
      attached: {
        openLines: r.openLines,
        activePeople: r.activePeople,
        supervisors: r.supervisors,
        openUnits: r.openUnits,
      },
    }));
  }

  async findHotline(id: string, tx?: Tx): Promise<HotlineWithStation | undefined> {
    const row = await this.db.one<HotlineStationRow>(`${HOTLINE_WITH_STATION} WHERE h.id = $1`, [id], tx);
    return row && toHotlineWithStation(row);
  }

  /** The lines with these ids (unknown ids are left out), with their stations. */
  async findHotlines(ids: string[], tx?: Tx): Promise<HotlineWithStation[]> {
    if (!ids.length) return [];
    const rows = await this.db.rows<HotlineStationRow>(
      `${HOTLINE_WITH_STATION} WHERE h.id = ANY($1::uuid[]) ORDER BY h.number`,
      [ids],
      tx,
    );
    return rows.map(toHotlineWithStation);
  }

  /** The lines with these numbers (unknown numbers are left out). */
  async findHotlinesByNumber(numbers: string[], tx?: Tx): Promise<HotlineRecord[]> {
    if (!numbers.length) return [];
    const rows = await this.db.rows<HotlineRow>('SELECT * FROM hotlines WHERE number = ANY($1::text[])', [numbers], tx);
    return rows.map(toHotlineRecord);
  }

  /** The lines at stations in the scope, by number, with their stations. */
  async hotlinesWithStationIn(scope: OrgScope): Promise<HotlineWithStation[]> {
    const params: unknown[] = [];
    const rows = await this.db.rows<HotlineStationRow>(
      `${HOTLINE_WITH_STATION} WHERE ${scope.sql('s', params)} ORDER BY h.number`,
      params,
    );
    return rows.map(toHotlineWithStation);
  }

  /** Changes a line's name, station or suspension (only the fields given; `suspendedAt: null` resumes it). */
  async updateHotline(
    id: string,
    change: { name?: string; stationId?: string; suspendedAt?: Date | null },
    tx: Tx,
  ): Promise<HotlineWithStation | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
    if (change.name !== undefined) set('name', change.name);
    if (change.stationId !== undefined) set('station_id', change.stationId);
    if (change.suspendedAt !== undefined) set('suspended_at', change.suspendedAt);
    if (sets.length) await this.db.run(`UPDATE hotlines SET ${sets.join(', ')} WHERE id = $1`, params, tx);
    return this.findHotline(id, tx);
  }

  /**
   * Takes the lock that serialises seeding an empty organisation (held until `tx` ends) and says whether the tree is
   * still empty: of several processes starting at once, one seeds and the others find units.
   */
  async lockEmptyTree(tx: Tx): Promise<boolean> {
    await this.db.run('SELECT pg_advisory_xact_lock(7235002)', [], tx);
    return !(await this.db.one('SELECT 1 FROM org_units LIMIT 1', [], tx));
  }

  async findUnit(id: string, tx?: Tx): Promise<OrgUnitRecord | undefined> {
    const row = await this.db.one<OrgUnitRow>('SELECT * FROM org_units WHERE id = $1', [id], tx);
    return row && toRecord(row);
  }

  /** The units with these ids (unknown ids are left out), in no particular order. */
  async findUnits(ids: string[], tx?: Tx): Promise<OrgUnitRecord[]> {
    if (!ids.length) return [];
    const rows = await this.db.rows<OrgUnitRow>('SELECT * FROM org_units WHERE id = ANY($1::uuid[])', [ids], tx);
    return rows.map(toRecord);
  }

  async findHotlineByNumber(number: string, tx?: Tx): Promise<HotlineRecord | undefined> {
    const row = await this.db.one<HotlineRow>('SELECT * FROM hotlines WHERE number = $1', [number], tx);
    return row && toHotlineRecord(row);
  }

  /**
   * The units in the scope, in tree order (by path): all of them, or those of the given levels (the live board's
   * units down to stations, the statistics' stations).
   */
  async unitsIn(scope: OrgScope, levels?: readonly OrgLevel[]): Promise<OrgUnitWithPath[]> {
    return (await this.unitRowsIn(scope, levels)).map(withPath);
  }

  async listUnits(scope: OrgScope): Promise<OrgUnitView[]> {
    return (await this.unitRowsIn(scope)).map(toView);
  }

  /** The units of these levels in scope that are not closed, in tree order. */
  async openUnitsIn(scope: OrgScope, levels: readonly OrgLevel[]): Promise<OrgUnitView[]> {
    return (await this.unitRowsIn(scope, levels)).filter((r) => !r.closed_at).map(toView);
  }

  private async unitRowsIn(scope: OrgScope, levels?: readonly OrgLevel[]): Promise<OrgUnitRow[]> {
    const params: unknown[] = [];
    const where = [scope.sql('u', params)];
    if (levels) {
      params.push(levels);
      where.push(`u.level = ANY($${params.length}::text[])`);
    }
    return this.db.rows<OrgUnitRow>(`SELECT * FROM org_units u WHERE ${where.join(' AND ')} ORDER BY u.path`, params);
  }

  async listHotlines(scope: OrgScope): Promise<HotlineView[]> {
    const params: unknown[] = [];
    const rows = await this.db.rows<HotlineRow>(
      `SELECT h.* FROM hotlines h JOIN org_units s ON s.id = h.station_id
        WHERE ${scope.sql('s', params)} ORDER BY h.number`,
      params,
    );
    return rows.map(toHotline);
  }

  /** The lines of these stations, by number. */
  async hotlinesOf(stationIds: string[]): Promise<HotlineView[]> {
    const rows = await this.db.rows<HotlineRow>(
      'SELECT * FROM hotlines WHERE station_id = ANY($1::uuid[]) ORDER BY number',
      [stationIds],
    );
    return rows.map(toHotline);
  }

  /**
   * What a person's part of the tree is read from (OrgAccess): the path of their home unit (undefined when it does
   * not exist) and the stations they supervise (supervisor_stations, read here; written by auth's UserRepository).
   */
  async grantOf(user: { id: string; orgUnitId: string }, tx?: Tx): Promise<OrgGrant> {
    const row = await this.db.one<{ path: string; extra: string[] }>(
      `SELECT u.path, COALESCE(array_agg(ss.station_id) FILTER (WHERE ss.station_id IS NOT NULL), '{}') AS extra
         FROM org_units u LEFT JOIN supervisor_stations ss ON ss.user_id = $2
        WHERE u.id = $1 GROUP BY u.path`,
      [user.orgUnitId, user.id],
      tx,
    );
    return { homePath: row?.path, supervisedStationIds: row?.extra ?? [] };
  }

  /** The unit and all its ancestors, root first (from the materialised path). */
  async lineage(unitId: string, tx?: Tx): Promise<string[]> {
    const row = await this.db.one<{ path: string }>('SELECT path FROM org_units WHERE id = $1', [unitId], tx);
    return row ? row.path.split('/').filter(Boolean) : [];
  }
}

function toView(r: OrgUnitRow): OrgUnitView {
  return { id: r.id, name: r.name, level: r.level, parentId: r.parent_id };
}

function withPath(r: OrgUnitRow): OrgUnitWithPath {
  return { ...toView(r), path: r.path };
}

function toRecord(r: OrgUnitRow): OrgUnitRecord {
  return { ...withPath(r), code: r.code, closedAt: r.closed_at };
}

function toHotline(r: HotlineRow): HotlineView {
  return { id: r.id, number: r.number, name: r.name, stationId: r.station_id };
}

function toHotlineRecord(r: HotlineRow): HotlineRecord {
  return { ...toHotline(r), suspendedAt: r.suspended_at };
}

interface HotlineStationRow extends HotlineRow {
  station_name: string;
  station_code: string | null;
  station_path: string;
}

const HOTLINE_WITH_STATION = `SELECT h.*, s.name AS station_name, s.code AS station_code, s.path AS station_path
  FROM hotlines h JOIN org_units s ON s.id = h.station_id`;

function toHotlineWithStation(r: HotlineStationRow): HotlineWithStation {
  return {
    ...toHotlineRecord(r),
    stationName: r.station_name,
    stationCode: r.station_code,
    stationPath: r.station_path,
  };
}
