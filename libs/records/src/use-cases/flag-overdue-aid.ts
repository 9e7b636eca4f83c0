import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@kapok/config';
import { OrgRepository } from '@kapok/org';
import { MonitorNotifier } from '@kapok/realtime';
import { AidRequestRepository } from '../aid-request.repository';
import { toAidRequestView } from '../records.views';

/**
 * Flags material-aid requests open longer than AID_OVERDUE_HOURS to the coordinators (and supervisors) of the
 * delivering station: an `aid:overdue` event on /monitor, once per request (a conditional update marks it flagged,
 * so several processes sweeping at once flag each request once). Lists show `overdue: true` regardless.
 */
@Injectable()
export class FlagOverdueAid {
  constructor(
    private readonly aid: AidRequestRepository,
    private readonly org: OrgRepository,
    private readonly monitor: MonitorNotifier,
    private readonly config: AppConfig,
  ) {}

  async execute(): Promise<number> {
    const flagged = await this.aid.flagOverdue(this.config.get('AID_OVERDUE_HOURS'));
    for (const a of flagged) {
      this.monitor.toUnits(await this.org.lineage(a.delivering_station_id), 'aid:overdue', {
        aidRequest: toAidRequestView(a),
        overdueHours: this.config.get('AID_OVERDUE_HOURS'),
        at: new Date().toISOString(),
      });
    }
    return flagged.length;
  }
}

/** Runs FlagOverdueAid every minute in each process that loads the records module (timer not keeping it alive). */
@Injectable()
export class AidOverdueSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  static readonly INTERVAL_MS = 60_000;
  private readonly logger = new Logger(AidOverdueSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly flag: FlagOverdueAid) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.flag.execute().catch((err) => this.logger.warn(`overdue aid sweep: ${(err as Error).message}`));
    }, AidOverdueSweeper.INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
