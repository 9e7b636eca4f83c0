import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { AuditFilter, AuditLogRepository, AuditView } from '../audit-log.repository';
import { AUDIT_ROLES, RecordAccess } from '../record-access';
import { Page } from './list-records';

/** The audit log: admins read all of it, supervisors the rows about stations in their part of the tree. */
@Injectable()
export class ReadAuditLog {
  constructor(
    private readonly audit: AuditLogRepository,
    private readonly access: RecordAccess,
  ) {}

  async execute(user: AuthUser, filter: AuditFilter): Promise<Page<AuditView>> {
    this.access.requireRole(user, AUDIT_ROLES, 'Reading the audit log');
    const { items, total } = await this.audit.list(await this.access.scopeOf(user), filter);
    return { items, total, page: filter.page, pageSize: filter.pageSize };
  }
}
