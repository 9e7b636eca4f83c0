import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import type { AdminAuditView, Page } from '@kapok/contracts';
import { AuditLogRepository, AuditView } from '@kapok/records';
import { AdminAccess } from '../admin-scope';

export interface AdminAuditFilter {
  actorId?: string;
  action?: string[];
  subjectId?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

const toView = (a: AuditView): AdminAuditView => ({
  id: a.id,
  at: a.at,
  actorId: a.actorId,
  actorName: a.actorName,
  actorRole: a.actorRole,
  action: a.action,
  subjectType: a.subjectType,
  subjectId: a.subjectId,
  unitId: a.stationId,
  detail: a.detail as AdminAuditView['detail'],
  ip: a.ip,
  userAgent: a.userAgent,
});

/**
 * `GET /api/admin/audit-log`: the administration changes (`admin.*` rows of the audit log) that belong to units in
 * the admin's reach (rows of no unit, e.g. a key for every line: admins of the whole organisation), newest first.
 */
@Injectable()
export class ReadAdminAuditLog {
  constructor(
    private readonly access: AdminAccess,
    private readonly audit: AuditLogRepository,
  ) {}

  async execute(user: AuthUser, filter: AdminAuditFilter): Promise<Page<AdminAuditView>> {
    const scope = await this.access.scopeOf(user);
    const { items, total } = await this.audit.list(scope.reach, { ...filter, log: 'admin' });
    return { items: items.map(toView), total, page: filter.page, pageSize: filter.pageSize };
  }
}
