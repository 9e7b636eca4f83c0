import { Injectable } from '@nestjs/common';
import { Db } from '@kapok/database';
import { OrgRepository } from '@kapok/org';
import { MonitorNotifier } from '@kapok/realtime';

/**
 * Raises `risk:alert` on /monitor for a contact: to everyone responsible for its station (the station, its
 * ancestors, and supervisors covering it). Called for a critical contact at intake and an imminent risk assessment.
 */
@Injectable()
export class RiskAlerts {
  constructor(
    private readonly db: Db,
    private readonly org: OrgRepository,
    private readonly monitor: MonitorNotifier,
  ) {}

  async raise(contactId: string, source: 'critical_contact' | 'imminent_assessment'): Promise<void> {
    const c = await this.db.one<{ station_id: string; name: string; risk_level: string; waited: number }>(
      `SELECT c.station_id, s.name, c.risk_level,
              extract(epoch FROM (COALESCE(c.answered_at, now()) - c.queued_at))::float8 AS waited
         FROM contacts c JOIN org_units s ON s.id = c.station_id WHERE c.id = $1`,
      [contactId],
    );
    if (!c) return;
    this.monitor.toUnits(await this.org.lineage(c.station_id), 'risk:alert', {
      contactId,
      stationId: c.station_id,
      stationName: c.name,
      riskLevel: c.risk_level,
      source,
      waitedSeconds: Math.round(c.waited),
      at: new Date().toISOString(),
    });
  }
}
