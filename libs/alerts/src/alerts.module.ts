import { Module } from '@nestjs/common';
import { OrgModule } from '@kapok/org';
import { RiskAlertRepository } from './risk-alert.repository';
import { AcknowledgeRiskAlert } from './use-cases/acknowledge-risk-alert';
import { ListRiskAlerts } from './use-cases/list-risk-alerts';
import { RaiseRiskAlert } from './use-cases/raise-risk-alert';

/**
 * Risk alerts as work items (docs/alerts.md). Depends on no other domain library but org: contacts and records raise
 * alerts through RaiseRiskAlert; the gateway lists and acknowledges them.
 */
@Module({
  imports: [OrgModule],
  providers: [RiskAlertRepository, RaiseRiskAlert, ListRiskAlerts, AcknowledgeRiskAlert],
  exports: [RaiseRiskAlert, ListRiskAlerts, AcknowledgeRiskAlert],
})
export class AlertsModule {}
