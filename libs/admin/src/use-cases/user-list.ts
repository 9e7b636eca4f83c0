import { Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser, Role, UnitCondition, UserRepository } from '@kapok/auth';
import type { AdminUserPage, AdminUserView } from '@kapok/contracts';
import { underUnitSql } from '@kapok/org';
import { AdminAccess, AdminScope } from '../admin-scope';
import { toUsersCsv } from './user-csv';
import { toAdminUserView } from './user-rules';

export interface AccountFilter {
  /** Accounts homed at this unit or below (it must be in the admin's reach: 404 otherwise). */
  orgUnitId?: string;
  role?: Role;
  active?: boolean;
  /** Part of the username or the display name. */
  search?: string;
}

/**
 * The accounts of an admin's reach (`GET /api/admin/users`, paged, by username) and their export as CSV
 * (`GET /api/admin/users/export`: the import's columns, never a password).
 */
@Injectable()
export class ListUsers {
  constructor(
    private readonly access: AdminAccess,
    private readonly users: UserRepository,
  ) {}

  async execute(admin: AuthUser, f: AccountFilter, page: number, pageSize: number): Promise<AdminUserPage> {
    const scope = await this.access.scopeOf(admin);
    const { items, total } = await this.users.list(reachOf(scope), {
      ...(await this.filter(scope, f)),
      page,
      pageSize,
    });
    return { items: items.map(toAdminUserView), total, page, pageSize };
  }

  /** One account of the admin's reach (404 outside it, as if it did not exist). */
  async findOne(admin: AuthUser, userId: string): Promise<AdminUserView> {
    const scope = await this.access.scopeOf(admin);
    const user = await this.users.findForAdmin(userId);
    if (!user || !scope.canManage({ id: user.orgUnitId, path: user.orgUnitPath })) {
      throw new NotFoundException(`User ${userId} not found`);
    }
    return toAdminUserView(user);
  }

  /** The CSV of every account the list shows with these filters (no paging). */
  async exportCsv(admin: AuthUser, f: AccountFilter): Promise<string> {
    const scope = await this.access.scopeOf(admin);
    return toUsersCsv(await this.users.listAll(reachOf(scope), await this.filter(scope, f)));
  }

  private async filter(scope: AdminScope, f: AccountFilter) {
    let under: UnitCondition | undefined;
    if (f.orgUnitId) {
      const unitId = (await this.access.unitInReach(scope, f.orgUnitId)).id;
      under = { sql: (alias, params) => underUnitSql(`${alias}.path`, unitId, params) };
    }
    return { under, role: f.role, active: f.active, search: f.search };
  }
}

const reachOf = (scope: AdminScope): UnitCondition => ({ sql: (alias, params) => scope.sql(alias, params) });
