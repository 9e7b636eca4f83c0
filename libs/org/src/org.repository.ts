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
}

interface HotlineRow {
  id: string;
  number: string;
  name: string;
  station_id: string;
}

/** A unit with its materialised path ('/<city id>/…/<own id>/'). */
export type OrgUnitWithPath = OrgUnitView & { path: string };

@Injectable()
export class OrgRepository {
  constructor(private readonly db: Db) {}

  async createUnit(
    unit: { name: string; level: OrgLevel; parentId: string | null },
    tx?: Tx,
  ): Promise<OrgUnitWithPath> {
    const parent = unit.parentId
      ? await this.db.one<{ path: string }>('SELECT path FROM org_units WHERE id = $1', [unit.parentId], tx)
      : undefined;
    if (unit.parentId && !parent) throw new Error(`parent org unit ${unit.parentId} not found`);
    const row = await this.db.one<OrgUnitRow>(
      `WITH new_id AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_units (id, name, level, parent_id, path)
       SELECT id, $1, $2, $3, $4 || id::text || '/' FROM new_id
       RETURNING *`,
      [unit.name, unit.level, unit.parentId, parent?.path ?? '/'],
      tx,
    );
    return withPath(row!);
  }

  async createHotline(h: { number: string; name: string; stationId: string }, tx?: Tx): Promise<HotlineView> {
    const row = await this.db.one<HotlineRow>(
      'INSERT INTO hotlines (number, name, station_id) VALUES ($1, $2, $3) RETURNING *',
      [h.number, h.name, h.stationId],
      tx,
    );
    return toHotline(row!);
  }

  /**
   * Takes the lock that serialises seeding an empty organisation (held until `tx` ends) and says whether the tree is
   * still empty: of several processes starting at once, one seeds and the others find units.
   */
  async lockEmptyTree(tx: Tx): Promise<boolean> {
    await this.db.run('SELECT pg_advisory_xact_lock(7235002)', [], tx);
    return !(await this.db.one('SELECT 1 FROM org_units LIMIT 1', [], tx));
  }

  async findUnit(id: string, tx?: Tx): Promise<OrgUnitWithPath | undefined> {
    const row = await this.db.one<OrgUnitRow>('SELECT * FROM org_units WHERE id = $1', [id], tx);
    return row && withPath(row);
  }

  /** The units with these ids (unknown ids are left out), in no particular order. */
  async findUnits(ids: string[]): Promise<OrgUnitWithPath[]> {
    if (!ids.length) return [];
    const rows = await this.db.rows<OrgUnitRow>('SELECT * FROM org_units WHERE id = ANY($1::uuid[])', [ids]);
    return rows.map(withPath);
  }

  async findHotlineByNumber(number: string): Promise<HotlineView | undefined> {
    const row = await this.db.one<HotlineRow>('SELECT * FROM hotlines WHERE number = $1', [number]);
    return row && toHotline(row);
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

function toHotline(r: HotlineRow): HotlineView {
  return { id: r.id, number: r.number, name: r.name, stationId: r.station_id };
}
