import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { type AuthUser, requireRole } from '@kapok/auth';
import { Clock } from '@kapok/common';
import { RISK_ALERT_ACKNOWLEDGE_ROLES, type RiskAlertView } from '@kapok/contracts';
import { OrgAccess, OrgRepository } from '@kapok/org';
import { MonitorNotifier } from '@kapok/realtime';
import { RiskAlertRepository } from '../risk-alert.repository';
import { toRiskAlertView } from '../risk-alert.views';

/**
 * Someone responsible takes an open alert in hand: who and when are kept (with an optional note), it leaves every
 * open list (`risk:alert-closed` on /monitor) and stays in the history. Asking again is answered with the alert as it
 * is (a retried request); an alert someone else acknowledged, or whose critical contact was answered, is 409.
 */
@Injectable()
export class AcknowledgeRiskAlert {
  constructor(
    private readonly alerts: RiskAlertRepository,
    private readonly access: OrgAccess,
    private readonly org: OrgRepository,
    private readonly monitor: MonitorNotifier,
    private readonly clock: Clock,
  ) {}

  async execute(id: string, user: AuthUser, note?: string): Promise<RiskAlertView> {
    requireRole(user, RISK_ALERT_ACKNOWLEDGE_ROLES, 'Acknowledging a risk alert');
    const scope = await this.access.scopeOf(user);
    const now = this.clock.now();
    const before = await this.alerts.find(id, now);
    if (!before || !(await this.access.containsUnit(scope, before.station_id))) {
      throw new NotFoundException('Risk alert not found');
    }
    if (await this.alerts.acknowledge(id, user.id, note?.trim() || null, now)) {
      const after = (await this.alerts.find(id, now))!;
      this.monitor.toUnits(await this.org.lineage(after.station_id), 'risk:alert-closed', {
        alertId: id,
        contactId: after.contact_id,
        stationId: after.station_id,
        state: 'acknowledged',
        acknowledgedBy: { id: user.id, name: after.acknowledged_by_name ?? '' },
        at: now.toISOString(),
      });
      return toRiskAlertView(after, now);
    }
    const current = (await this.alerts.find(id, now))!;
    if (current.state === 'acknowledged' && current.acknowledged_by === user.id) return toRiskAlertView(current, now);
    throw new ConflictException(
      current.state === 'answered'
        ? 'This risk alert is closed: the contact was answered'
        : `This risk alert was already acknowledged by ${current.acknowledged_by_name ?? 'someone else'}`,
    );
  }
}
