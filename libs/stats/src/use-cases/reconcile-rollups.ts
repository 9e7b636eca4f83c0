import { Injectable, Logger } from '@nestjs/common';
import { Clock, addMonths, monthStart, shanghaiToday } from '@kapok/common';
import { RollupRepository } from '../rollup.repository';

/**
 * The nightly check (the router's `stats-reconcile` job, 03:00 Asia/Shanghai): last month's and this month's rollups
 * against a recomputation from the raw records. A difference is logged as an error for on-call; nothing is changed.
 */
@Injectable()
export class ReconcileRollups {
  private readonly logger = new Logger(ReconcileRollups.name);

  constructor(
    private readonly rollups: RollupRepository,
    private readonly clock: Clock,
  ) {}

  /** True when the rollups equal the recomputation. */
  async execute(): Promise<boolean> {
    const today = shanghaiToday(this.clock.now());
    const from = addMonths(monthStart(today), -1); // the first day of last month
    const report = await this.rollups.reconcile({ from, to: today });
    if (!report.ok) this.logger.error(`statistics rollups differ from the raw records: ${JSON.stringify(report)}`);
    else this.logger.log(`statistics rollups reconciled ${from} … ${today}`);
    return report.ok;
  }
}
