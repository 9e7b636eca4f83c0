import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { AppConfig } from '@kapok/config';
import { OrgRepository } from '@kapok/org';
import { MonitorNotifier } from '@kapok/realtime';
import { AidRequestRepository } from '../aid-request.repository';
import { toAidRequestView } from '../records.views';

/**
 * Flags material-aid requests open longer than AID_OVERDUE_HOURS to the coordinators (and supervisors) of the
 * delivering station: an `aid:overdue` event on /monitor, once per request (a conditional update marks it flagged,
 * so several processes sweeping at once flag each request once). Lists show `overdue: true` regardless. Run every
 * minute by the router (the `flag-overdue-aid` job scheduler).
 */
@Injectable()
export class FlagOverdueAid {
  constructor(
    private readonly aid: AidRequestRepository,
    private readonly org: OrgRepository,
    private readonly monitor: MonitorNotifier,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<number> {
    const flagged = await this.aid.flagOverdue(this.config.get('AID_OVERDUE_HOURS'));
    for (const a of flagged) {
      this.monitor.toUnits(await this.org.lineage(a.delivering_station_id), 'aid:overdue', {
        aidRequest: toAidRequestView(a),
        overdueHours: this.config.get('AID_OVERDUE_HOURS'),
        at: this.clock.now().toISOString(),
      });
    }
    return flagged.length;
  }
}
