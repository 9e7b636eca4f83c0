import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { AdminUserRecord, AuthUser, Role, UserRepository, UserSessions } from '@kapok/auth';
import { Clock } from '@kapok/common';
import type { AdminUserView } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { OrgRepository } from '@kapok/org';
import { AgentSession } from '@kapok/routing';
import { AdminAuditTrail, diffForAudit } from '../admin-audit';
import { AdminAccess, AdminScope } from '../admin-scope';
import {
  auditSnapshot,
  checkSupervisedChange,
  distinct,
  grantableHome,
  profileProblems,
  toAdminUserView,
} from './user-rules';

/** What `PATCH /api/admin/users/:id` may change (undefined: unchanged). */
export interface AccountChanges {
  displayName?: string;
  role?: Role;
  orgUnitId?: string;
  active?: boolean;
  languages?: string[];
  skills?: string[];
  /** A supervisor's stations become exactly these. */
  supervisedStationIds?: string[];
  extension?: string | null;
}

/**
 * An admin changes an account of their reach (404 outside it, as if it did not exist): name, role and home unit
 * (granted as on creation: never wider than the admin's own, 403), languages and skills, a supervisor's stations,
 * the extension, and `active`.
 *
 * Deactivating (`active: false`) keeps the account and its history, ends every session at once (tokens refused
 * with 401; every gateway is told through Redis and closes the person's sockets, SessionWatch's 2-second re-check
 * catching a lost signal) and, for an operator, sets them offline so that an open offer is revoked and its contact
 * routed to the next operator now, whether or not a socket of theirs was still open. A contact they were already
 * in stays theirs as after a lost console (docs/routing.md): text contacts go back in line when the reconnect grace
 * ends, a phone contact stays with the coordinators told. A role, unit or stations change closes their sockets too
 * (`changed`: the console reconnects with the new scope). Nobody changes their own role, unit or activity (they
 * could lock themselves out). Audited (`admin.user.update`, the fields changed, before → after).
 */
@Injectable()
export class UpdateUser {
  private readonly logger = new Logger(UpdateUser.name);

  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly org: OrgRepository,
    private readonly users: UserRepository,
    private readonly sessions: UserSessions,
    private readonly agents: AgentSession,
    private readonly audit: AdminAuditTrail,
    private readonly clock: Clock,
  ) {}

  async execute(admin: AuthUser, userId: string, c: AccountChanges): Promise<AdminUserView> {
    const problems = profileProblems(c);
    if (problems.length) throw new BadRequestException(problems);
    const scope = await this.access.scopeOf(admin);
    const { before, after } = await this.db.tx(async (tx) => {
      const before = await this.users.findForAdmin(userId, tx, true);
      if (!before || !scope.canManage({ id: before.orgUnitId, path: before.orgUnitPath })) {
        throw new NotFoundException(`User ${userId} not found`);
      }
      await this.apply(admin, scope, before, c, tx);
      const after = toAdminUserView((await this.users.findForAdmin(userId, tx))!);
      const changed = diffForAudit(auditSnapshot(toAdminUserView(before)), auditSnapshot(after));
      if (changed.changed) {
        await this.audit.record(tx, admin, {
          action: 'admin.user.update',
          subjectType: 'user',
          subjectId: userId,
          unitId: after.orgUnitId,
          before: changed.before,
          after: changed.after,
        });
      }
      return { before, after };
    });
    if (before.active && !after.active) await this.afterDeactivation(before);
    return after;
  }

  private async apply(
    admin: AuthUser,
    scope: AdminScope,
    before: AdminUserRecord,
    c: AccountChanges,
    tx: Tx,
  ): Promise<void> {
    const self = before.id === admin.id;
    const role = c.role ?? before.role;
    const unitId = c.orgUnitId ?? before.orgUnitId;
    if (self && (role !== before.role || unitId !== before.orgUnitId || c.active === false)) {
      throw new ConflictException('You cannot change your own role or unit, nor deactivate yourself');
    }
    if (role !== before.role || unitId !== before.orgUnitId) {
      await grantableHome(this.access, this.org, scope, role, unitId, tx);
    }
    let supervised = before.supervisedStationIds;
    if (c.supervisedStationIds !== undefined) {
      if (role !== 'supervisor' && c.supervisedStationIds.length) {
        throw new BadRequestException(['supervisedStationIds: only a supervisor supervises stations']);
      }
      supervised = distinct(c.supervisedStationIds);
    } else if (role !== 'supervisor') supervised = [];
    const added = supervised.filter((id) => !before.supervisedStationIds.includes(id));
    const removed = before.supervisedStationIds.filter((id) => !supervised.includes(id));
    await checkSupervisedChange(this.org, scope, added, removed, tx);

    await this.users.update(
      before.id,
      {
        displayName: c.displayName,
        role: c.role,
        orgUnitId: c.orgUnitId,
        languages: c.languages && distinct(c.languages),
        skills: c.skills && distinct(c.skills),
        extension: c.extension,
      },
      tx,
    );
    if (added.length || removed.length) await this.users.setSupervisedStations(before.id, supervised, tx);
    if (c.active !== undefined && c.active !== before.active) {
      if (c.active) {
        // Reactivated at a closed unit the person could not work: move them first.
        const home = await this.org.lockUnit(unitId, 'share', tx);
        if (home?.closedAt) throw new ConflictException(`orgUnitId: ${home.name} is closed`);
      }
      await this.users.setActive(before.id, c.active, this.clock.now(), tx);
      if (!c.active) await this.sessions.revokeAll(before.id, tx, 'deactivated');
    }
  }

  /** After the commit: every gateway closes the person's sockets; an operator's open offer moves on now. */
  private async afterDeactivation(user: AdminUserRecord): Promise<void> {
    await this.sessions.signalRevokedAll(user.id, 'deactivated');
    if (user.role !== 'operator') return;
    try {
      await this.agents.setPresence(
        {
          id: user.id,
          username: user.username,
          displayName: user.displayName,
          role: user.role,
          orgUnitId: user.orgUnitId,
        },
        'offline',
      );
    } catch (err) {
      // The closing sockets revoke the offer too (AgentSession.disconnected); the reconcile job is the last net.
      this.logger.error(`deactivated operator ${user.id}: open offer not released now: ${(err as Error).message}`);
    }
  }
}
