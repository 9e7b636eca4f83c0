import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';
import { HotlineView, OrgLevel, OrgScope, OrgUnitView } from './org.types';

interface OrgUnitRow {
  id: string;
  name: string;
  level: OrgLevel;
  parent_id: string | null;
  path: string;
}

/** SQL condition "unit with this path is inside the scope"; binds $a (root path) and $b (extra unit ids). */
const inScope = (pathExpr: string, idExpr: string, a: number, b: number) =>
  `(${pathExpr} LIKE $${a} || '%' OR ${idExpr} = ANY($${b}::uuid[]))`;

@Injectable()
export class OrgRepository {
  constructor(private readonly db: Db) {}

  async createUnit(
    unit: { name: string; level: OrgLevel; parentId: string | null },
    tx?: Tx,
  ): Promise<OrgUnitView & { path: string }> {
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
    return { ...toView(row!), path: row!.path };
  }

  async createHotline(h: { number: string; name: string; stationId: string }, tx?: Tx): Promise<HotlineView> {
    const row = await this.db.one<{ id: string; number: string; name: string; station_id: string }>(
      'INSERT INTO hotlines (number, name, station_id) VALUES ($1, $2, $3) RETURNING *',
      [h.number, h.name, h.stationId],
      tx,
    );
    return { id: row!.id, number: row!.number, name: row!.name, stationId: row!.station_id };
  }

  async findUnit(id: string): Promise<(OrgUnitView & { path: string }) | undefined> {
    const row = await this.db.one<OrgUnitRow>('SELECT * FROM org_units WHERE id = $1', [id]);
    return row && { ...toView(row), path: row.path };
  }

  async findHotlineByNumber(number: string): Promise<HotlineView | undefined> {
    const row = await this.db.one<{ id: string; number: string; name: string; station_id: string }>(
      'SELECT * FROM hotlines WHERE number = $1',
      [number],
    );
    return row && { id: row.id, number: row.number, name: row.name, stationId: row.station_id };
  }

  async listUnits(scope: OrgScope): Promise<OrgUnitView[]> {
    const rows = await this.db.rows<OrgUnitRow>(
      `SELECT * FROM org_units u WHERE ${inScope('u.path', 'u.id', 1, 2)} ORDER BY u.path`,
      [scope.rootPath, scope.extraUnitIds],
    );
    return rows.map(toView);
  }

  async listHotlines(scope: OrgScope): Promise<HotlineView[]> {
    const rows = await this.db.rows<{ id: string; number: string; name: string; station_id: string }>(
      `SELECT h.* FROM hotlines h JOIN org_units s ON s.id = h.station_id
        WHERE ${inScope('s.path', 's.id', 1, 2)} ORDER BY h.number`,
      [scope.rootPath, scope.extraUnitIds],
    );
    return rows.map((r) => ({ id: r.id, number: r.number, name: r.name, stationId: r.station_id }));
  }

  /** The unit and all its ancestors, root first (from the materialised path). */
  async lineage(unitId: string, tx?: Tx): Promise<string[]> {
    const row = await this.db.one<{ path: string }>('SELECT path FROM org_units WHERE id = $1', [unitId], tx);
    return row ? row.path.split('/').filter(Boolean) : [];
  }

  async isUnitInScope(unitId: string, scope: OrgScope, tx?: Tx): Promise<boolean> {
    const row = await this.db.one(
      `SELECT 1 FROM org_units u WHERE u.id = $3 AND ${inScope('u.path', 'u.id', 1, 2)}`,
      [scope.rootPath, scope.extraUnitIds, unitId],
      tx,
    );
    return !!row;
  }

  /** The scope of a person: their home unit's subtree plus, for supervisors, the stations they cover. */
  async scopeOf(user: { id: string; orgUnitId: string }, tx?: Tx): Promise<OrgScope> {
    const row = await this.db.one<{ path: string; extra: string[] }>(
      `SELECT u.path, COALESCE(array_agg(ss.station_id) FILTER (WHERE ss.station_id IS NOT NULL), '{}') AS extra
         FROM org_units u LEFT JOIN supervisor_stations ss ON ss.user_id = $2
        WHERE u.id = $1 GROUP BY u.path`,
      [user.orgUnitId, user.id],
      tx,
    );
    if (!row) return { rootPath: '/nowhere/', extraUnitIds: [] };
    return { rootPath: row.path, extraUnitIds: row.extra };
  }
}

function toView(r: OrgUnitRow): OrgUnitView {
  return { id: r.id, name: r.name, level: r.level, parentId: r.parent_id };
}
