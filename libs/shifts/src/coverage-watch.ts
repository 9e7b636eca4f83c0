import { Injectable } from '@nestjs/common';
import { Db } from '@kapok/database';
import { OrgRepository, OrgScope } from '@kapok/org';
import { MonitorNotifier } from '@kapok/realtime';
import { CoverageGap } from '@kapok/contracts';
import { CoverageGapRepository, GapRow } from './coverage-gap.repository';

// The gap as `coverage:gap` and the API show it (@kapok/contracts).
export type { CoverageGap } from '@kapok/contracts';

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
    private readonly gaps: CoverageGapRepository,
    private readonly org: OrgRepository,
    private readonly monitor: MonitorNotifier,
  ) {}

  async check(): Promise<{ opened: CoverageGap[]; closed: CoverageGap[] }> {
    const { opened, closed } = await this.db.tx(async (tx) => {
      await this.gaps.lockCheck(tx);
      const current = await this.gaps.current(tx);
      const opened = await this.gaps.openNew(tx, current);
      const closed = await this.gaps.closeEnded(tx, current);
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
    return (await this.gaps.openIn(scope)).map((r) => toGap(r, r.unit_name));
  }

  private async view(r: GapRow): Promise<CoverageGap> {
    return toGap(r, (await this.org.findUnit(r.unit_id))?.name ?? '');
  }
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
