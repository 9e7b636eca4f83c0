import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import type { CoverageGapKind } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { OrgScope, pathUnderSql } from '@kapok/org';

export type { CoverageGapKind } from '@kapok/contracts';

export interface GapRow {
  id: string;
  unit_id: string;
  kind: CoverageGapKind;
  started_at: Date;
  ended_at: Date | null;
}

/** A gap as it is now: the unit and what it lacks. */
export interface CurrentGap {
  unit_id: string;
  kind: CoverageGapKind;
}

/** The coverage_gaps table (its only writer), and the reads that find the gaps of now. */
@Injectable()
export class CoverageGapRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Serialises the checks of several routers: held until `tx` ends. */
  async lockCheck(tx: Tx): Promise<void> {
    await this.db.run('SELECT pg_advisory_xact_lock(7235200)', [], tx);
  }

  /**
   * The gaps of now (the Clock's: rosters are compared with the time routing uses): stations with a shift covering now where no operator of the station is signed in
   * (nobody_signed_in), districts where no station has a shift covering now (nobody_rostered).
   */
  async current(tx: Tx): Promise<CurrentGap[]> {
    return this.db.rows<CurrentGap>(
      `SELECT st.id AS unit_id, 'nobody_signed_in' AS kind FROM org_units st
        WHERE st.level = 'station'
          AND EXISTS (SELECT 1 FROM shifts s WHERE s.station_id = st.id AND s.starts_at <= $1 AND s.ends_at > $1)
          AND NOT EXISTS (SELECT 1 FROM agent_states a JOIN agent_sessions x ON x.user_id = a.user_id
                           WHERE a.station_id = st.id)
       UNION ALL
       SELECT d.id, 'nobody_rostered' FROM org_units d
        WHERE d.level = 'district'
          AND NOT EXISTS (SELECT 1 FROM shifts s JOIN org_units st ON st.id = s.station_id
                           WHERE ${pathUnderSql('st.path', 'd.path')} AND s.starts_at <= $1 AND s.ends_at > $1)`,
      [this.clock.now()],
      tx,
    );
  }

  /** Opens a row for each current gap that has none open (one open row per unit and kind); returns the new rows. */
  async openNew(tx: Tx, current: CurrentGap[]): Promise<GapRow[]> {
    return this.db.rows<GapRow>(
      `INSERT INTO coverage_gaps (unit_id, kind)
       SELECT u, k FROM unnest($1::uuid[], $2::text[]) AS t(u, k)
       ON CONFLICT (unit_id, kind) WHERE ended_at IS NULL DO NOTHING
       RETURNING *`,
      [current.map((c) => c.unit_id), current.map((c) => c.kind)],
      tx,
    );
  }

  /** Closes the open rows that are no longer current gaps; returns them. */
  async closeEnded(tx: Tx, current: CurrentGap[]): Promise<GapRow[]> {
    return this.db.rows<GapRow>(
      `UPDATE coverage_gaps g SET ended_at = now()
        WHERE g.ended_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM unnest($1::uuid[], $2::text[]) AS t(u, k) WHERE t.u = g.unit_id AND t.k = g.kind)
        RETURNING *`,
      [current.map((c) => c.unit_id), current.map((c) => c.kind)],
      tx,
    );
  }

  /** Open gaps of the units in the scope, oldest first, with the unit's name. */
  async openIn(scope: OrgScope): Promise<(GapRow & { unit_name: string })[]> {
    const params: unknown[] = [];
    return this.db.rows<GapRow & { unit_name: string }>(
      `SELECT g.*, u.name AS unit_name FROM coverage_gaps g JOIN org_units u ON u.id = g.unit_id
        WHERE g.ended_at IS NULL AND ${scope.sql('u', params)} ORDER BY g.started_at`,
      params,
    );
  }
}
