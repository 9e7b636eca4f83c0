import { Injectable } from '@nestjs/common';
import { Db } from '@kapok/database';
import { OrgRepository, OrgScope, pathUnderSql } from '@kapok/org';
import { MonitorNotifier } from '@kapok/realtime';

export interface CoverageGap {
  id: string;
  unitId: string;
  unitName: string;
  kind: 'nobody_signed_in' | 'nobody_rostered';
  startedAt: string;
  endedAt: string | null;
}

/**
 * Coverage gaps, checked every COVERAGE_CHECK_SECONDS by the router:
 * - nobody_signed_in: a station with a shift covering now where no operator of the station is signed in;
 * - nobody_rostered: a district where no station has a shift covering now.
 * A gap is recorded when it starts (one open row per unit and kind) and `coverage:gap` goes to the monitors
 * responsible for the unit; when it ends, the row is closed and `coverage:gap` says so (endedAt set).
 */
@Injectable()
export class CoverageWatch {
  constructor(
    private readonly db: Db,
    private readonly org: OrgRepository,
    private readonly monitor: MonitorNotifier,
  ) {}

  async check(): Promise<{ opened: CoverageGap[]; closed: CoverageGap[] }> {
    const { opened, closed } = await this.db.tx(async (tx) => {
      await this.db.run('SELECT pg_advisory_xact_lock(7235200)', [], tx);
      const current = await this.db.rows<{ unit_id: string; kind: CoverageGap['kind'] }>(
        `SELECT st.id AS unit_id, 'nobody_signed_in' AS kind FROM org_units st
          WHERE st.level = 'station'
            AND EXISTS (SELECT 1 FROM shifts s WHERE s.station_id = st.id AND s.starts_at <= now() AND s.ends_at > now())
            AND NOT EXISTS (SELECT 1 FROM agent_states a JOIN agent_sessions x ON x.user_id = a.user_id
                             WHERE a.station_id = st.id)
         UNION ALL
         SELECT d.id, 'nobody_rostered' FROM org_units d
          WHERE d.level = 'district'
            AND NOT EXISTS (SELECT 1 FROM shifts s JOIN org_units st ON st.id = s.station_id
                             WHERE ${pathUnderSql('st.path', 'd.path')} AND s.starts_at <= now() AND s.ends_at > now())`,
        [],
        tx,
      );
      const opened = await this.db.rows<GapRow>(
        `INSERT INTO coverage_gaps (unit_id, kind)
         SELECT u, k FROM unnest($1::uuid[], $2::text[]) AS t(u, k)
         ON CONFLICT (unit_id, kind) WHERE ended_at IS NULL DO NOTHING
         RETURNING *`,
        [current.map((c) => c.unit_id), current.map((c) => c.kind)],
        tx,
      );
      const closed = await this.db.rows<GapRow>(
        `UPDATE coverage_gaps g SET ended_at = now()
          WHERE g.ended_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM unnest($1::uuid[], $2::text[]) AS t(u, k) WHERE t.u = g.unit_id AND t.k = g.kind)
          RETURNING *`,
        [current.map((c) => c.unit_id), current.map((c) => c.kind)],
        tx,
      );
      return { opened, closed };
    });
    const views = async (rows: GapRow[]) => Promise.all(rows.map((r) => this.view(r)));
    const result = { opened: await views(opened), closed: await views(closed) };
    for (const gap of [...result.opened, ...result.closed]) {
      this.monitor.toUnits(await this.org.lineage(gap.unitId), 'coverage:gap', gap);
    }
    return result;
  }

  /** Open gaps of the units in the scope (for the monitor and the API). */
  async open(scope: OrgScope): Promise<CoverageGap[]> {
    const params: unknown[] = [];
    const rows = await this.db.rows<GapRow & { unit_name: string }>(
      `SELECT g.*, u.name AS unit_name FROM coverage_gaps g JOIN org_units u ON u.id = g.unit_id
        WHERE g.ended_at IS NULL AND ${scope.sql('u', params)} ORDER BY g.started_at`,
      params,
    );
    return rows.map((r) => toGap(r, r.unit_name));
  }

  private async view(r: GapRow): Promise<CoverageGap> {
    return toGap(r, (await this.org.findUnit(r.unit_id))?.name ?? '');
  }
}

interface GapRow {
  id: string;
  unit_id: string;
  kind: CoverageGap['kind'];
  started_at: Date;
  ended_at: Date | null;
}

function toGap(r: GapRow, unitName: string): CoverageGap {
  return {
    id: r.id,
    unitId: r.unit_id,
    unitName,
    kind: r.kind,
    startedAt: new Date(r.started_at).toISOString(),
    endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
  };
}
