import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import type { RiskAlertSource } from '@kapok/contracts';
import { OrgRepository } from '@kapok/org';
import { MonitorNotifier } from '@kapok/realtime';
import { RiskAlertRepository } from '../risk-alert.repository';

/**
 * Raises a risk alert for a contact (a critical contact at intake, an imminent risk assessment): kept as a work item
 * (risk_alerts, once per contact and source: a retried intake raises nothing twice) and announced with `risk:alert`
 * on /monitor to everyone responsible for its station (the station, its ancestors, and supervisors covering it).
 */
@Injectable()
export class RaiseRiskAlert {
  constructor(
    private readonly alerts: RiskAlertRepository,
    private readonly org: OrgRepository,
    private readonly monitor: MonitorNotifier,
    private readonly clock: Clock,
  ) {}

  async execute(contactId: string, source: RiskAlertSource): Promise<void> {
    const now = this.clock.now();
    const id = await this.alerts.raiseOnce(contactId, source, now);
    if (!id) return;
    const a = (await this.alerts.find(id, now))!;
    this.monitor.toUnits(await this.org.lineage(a.station_id), 'risk:alert', {
      alertId: a.id,
      contactId,
      stationId: a.station_id,
      stationName: a.station_name,
      riskLevel: a.risk_level,
      source,
      waitedSeconds: Math.round(a.waited),
      at: now.toISOString(),
    });
  }
}
