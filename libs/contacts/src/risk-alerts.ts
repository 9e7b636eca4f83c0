import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { OrgRepository } from '@kapok/org';
import { MonitorNotifier, RiskAlertEvent } from '@kapok/realtime';
import { ContactRepository } from './contact.repository';

/**
 * Raises `risk:alert` on /monitor for a contact: to everyone responsible for its station (the station, its
 * ancestors, and supervisors covering it). Called for a critical contact at intake and an imminent risk assessment.
 */
@Injectable()
export class RiskAlerts {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly org: OrgRepository,
    private readonly monitor: MonitorNotifier,
    private readonly clock: Clock,
  ) {}

  async raise(contactId: string, source: RiskAlertEvent['source']): Promise<void> {
    const c = await this.contacts.riskFacts(contactId);
    if (!c) return;
    this.monitor.toUnits(await this.org.lineage(c.station_id), 'risk:alert', {
      contactId,
      stationId: c.station_id,
      stationName: c.name,
      riskLevel: c.risk_level,
      source,
      waitedSeconds: Math.round(c.waited),
      at: this.clock.now().toISOString(),
    });
  }
}
