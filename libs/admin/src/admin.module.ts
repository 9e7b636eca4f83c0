import { Module } from '@nestjs/common';
import { AuthModule } from '@kapok/auth';
import { CommonModule } from '@kapok/common';
import { OrgModule } from '@kapok/org';
import { RecordsModule } from '@kapok/records';
import { RoutingModule } from '@kapok/routing';
import { AdminAuditTrail } from './admin-audit';
import { AdminAccess } from './admin-scope';
import { ReadAdminAuditLog } from './use-cases/admin-audit-log';
import { CreateHotline, ImportHotlines, ListAdminHotlines, UpdateHotline } from './use-cases/hotlines';
import {
  IntakeKeyAccess,
  IssueIntakeKey,
  ListIntakeKeys,
  RevokeIntakeKey,
  RotateIntakeKey,
} from './use-cases/intake-keys';
import { CreateOrgUnit, ListAdminOrgUnits, UpdateOrgUnit } from './use-cases/org-units';
import { CreateUser } from './use-cases/user-create';
import { ImportUsers } from './use-cases/user-import';
import { ListUsers } from './use-cases/user-list';
import { ResetPassword } from './use-cases/user-reset-password';
import { UpdateUser } from './use-cases/user-update';

const policy = [AdminAccess, AdminAuditTrail, IntakeKeyAccess];
// The use-cases of the admin screens (one class per operation): the tree, lines, intake keys, the audit log.
const useCases = [
  ListAdminOrgUnits,
  CreateOrgUnit,
  UpdateOrgUnit,
  ListAdminHotlines,
  CreateHotline,
  UpdateHotline,
  ImportHotlines,
  ListIntakeKeys,
  IssueIntakeKey,
  RevokeIntakeKey,
  RotateIntakeKey,
  ReadAdminAuditLog,
];
// Accounts: create, change (deactivate), reset a password, list and export, import.
const accountUseCases = [CreateUser, UpdateUser, ResetPassword, ListUsers, ImportUsers];

/**
 * Administration: the org tree, lines, intake keys, accounts, and the audit of it all. Owns no table: its use-cases
 * write through the owning libraries' repositories (OrgRepository, IntakeKeyRepository, UserRepository,
 * AuditLogRepository), under the delegation policy of admin-scope.ts.
 */
@Module({
  // RoutingModule: a deactivated operator's open offer goes to the next operator at once (AgentSession).
  imports: [CommonModule, AuthModule, OrgModule, RecordsModule, RoutingModule],
  providers: [...policy, ...useCases, ...accountUseCases],
  exports: [...policy, ...useCases, ...accountUseCases],
})
export class AdminModule {}
