import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Tx } from '@kapok/database';
import { AdminAuditAction, AuditEntry, AuditLogRepository } from '@kapok/records';

/** One administration change, as the audit log keeps it. */
export interface AdminChange {
  action: AdminAuditAction;
  subjectType: AuditEntry['subjectType'];
  subjectId: string | null;
  /**
   * The unit the change belongs to: admins whose part of the tree holds it read the row (null: only admins of the
   * whole organisation). The unit itself, a line's station, an account's home unit.
   */
  unitId: string | null;
  /** The changed fields before the change (null: the subject did not exist). Never a password, key or hash. */
  before: Record<string, unknown> | null;
  /** The same fields after it. */
  after: Record<string, unknown> | null;
  /** Anything else worth keeping (e.g. `via: 'import'`). */
  detail?: Record<string, unknown>;
}

/**
 * Writes administration changes into the audit log (records' AuditLogRepository), in the caller's transaction: a
 * change without its row cannot exist. Who and from where (ip, user agent, request id) are added by the repository
 * from the request (records' RequestContext); `before` and `after` go into the row's detail.
 */
@Injectable()
export class AdminAuditTrail {
  constructor(private readonly audit: AuditLogRepository) {}

  record(tx: Tx, actor: AuthUser, change: AdminChange): Promise<void> {
    return this.audit.write(tx, {
      actor,
      action: change.action,
      subjectType: change.subjectType,
      subjectId: change.subjectId,
      contactId: null,
      stationId: change.unitId,
      detail: { ...change.detail, before: change.before, after: change.after },
    });
  }
}

/**
 * The fields of `after` whose value differs from `before` (compared as JSON), each side with only those fields: what
 * an update row says. Undefined values in `after` are not changes.
 */
export function diffForAudit(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown>; changed: boolean } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    if (v === undefined || JSON.stringify(v) === JSON.stringify(before[k])) continue;
    b[k] = before[k] ?? null;
    a[k] = v;
  }
  return { before: b, after: a, changed: Object.keys(a).length > 0 };
}
