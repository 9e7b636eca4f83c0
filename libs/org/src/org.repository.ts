import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';
import { OrgScope } from './org-scope';
import { HotlineView, OrgLevel, OrgUnitView } from './org.types';

interface OrgUnitRow {
  id: string;
  name: string;
  level: OrgLevel;
  parent_id: string | null;
  path: string;
}

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
    const params: unknown[] = [];
    const rows = await this.db.rows<OrgUnitRow>(
      `SELECT * FROM org_units u WHERE ${scope.sql('u', params)} ORDER BY u.path`,
      params,
    );
    return rows.map(toView);
  }

  async listHotlines(scope: OrgScope): Promise<HotlineView[]> {
    const params: unknown[] = [];
    const rows = await this.db.rows<{ id: string; number: string; name: string; station_id: string }>(
      `SELECT h.* FROM hotlines h JOIN org_units s ON s.id = h.station_id
        WHERE ${scope.sql('s', params)} ORDER BY h.number`,
      params,
    );
    return rows.map((r) => ({ id: r.id, number: r.number, name: r.name, stationId: r.station_id }));
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
