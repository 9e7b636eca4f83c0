import { ForbiddenException } from '@nestjs/common';
import type { AuthUser, Role } from '@kapok/auth';

/**
 * Who works with risk alerts: everyone the `/monitor` socket alerts (those responsible for the contact's station, in
 * their part of the tree: OrgScope) sees them; the people who act on a caller in danger — coordinators, supervisors
 * and managers — acknowledge them. Admins run the system, not the service: they see, they do not acknowledge.
 */
export const ALERT_VIEW_ROLES: readonly Role[] = ['coordinator', 'supervisor', 'manager', 'admin'];
export const ALERT_ACKNOWLEDGE_ROLES: readonly Role[] = ['coordinator', 'supervisor', 'manager'];

export function requireAlertRole(user: AuthUser, roles: readonly Role[], what: string): void {
  if (!roles.includes(user.role)) throw new ForbiddenException(`${what} needs one of the roles: ${roles.join(', ')}`);
}
