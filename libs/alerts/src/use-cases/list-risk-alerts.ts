import { Injectable } from '@nestjs/common';
import { type AuthUser, requireRole } from '@kapok/auth';
import { Clock } from '@kapok/common';
import { type Page, RISK_ALERT_VIEW_ROLES, type RiskAlertView } from '@kapok/contracts';
import { OrgAccess } from '@kapok/org';
import { RiskAlertRepository } from '../risk-alert.repository';
import { toRiskAlertView } from '../risk-alert.views';

/** The risk alerts of the reader's part of the tree: the open work list (oldest first) or the history. */
@Injectable()
export class ListRiskAlerts {
  constructor(
    private readonly alerts: RiskAlertRepository,
    private readonly access: OrgAccess,
    private readonly clock: Clock,
  ) {}

  async execute(
    user: AuthUser,
    query: { state: 'open' | 'closed'; page: number; pageSize: number },
  ): Promise<Page<RiskAlertView>> {
    requireRole(user, RISK_ALERT_VIEW_ROLES, 'Risk alerts');
    const scope = await this.access.scopeOf(user);
    const now = this.clock.now();
    const { rows, total } = await this.alerts.list(scope, query.state, query, now);
    return { items: rows.map((r) => toRiskAlertView(r, now)), total, page: query.page, pageSize: query.pageSize };
  }
}
