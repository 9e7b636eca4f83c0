import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import type { RecordAuditView } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { OrgScope } from '@kapok/org';
import { RequestContext } from './request-context';
import { Params, iso } from './sql';

/** What is done to records (`GET /api/audit-log`). */
export const AUDIT_ACTIONS = [
  'record.create',
  'record.amend',
  'record.review',
  'caller_number.read',
  'aid.arrange',
  'aid.deliver',
  'aid.cancel',
  'follow_up.complete',
  'contact.reclaim',
  'transcript.read',
] as const;

/**
 * Administration changes (libs/admin; `GET /api/admin/audit-log`, not the records' log). Every one starts with
 * `admin.`: that prefix is what sorts a row into one log or the other. Their detail holds `before` and `after`.
 */
export const ADMIN_AUDIT_ACTIONS = [
  'admin.org_unit.create',
  'admin.org_unit.update',
  'admin.hotline.create',
  'admin.hotline.update',
  'admin.intake_key.create',
  'admin.intake_key.revoke',
  'admin.intake_key.rotate',
  'admin.user.create',
  'admin.user.update',
  'admin.user.import',
  'admin.user.reset_password',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number] | (typeof ADMIN_AUDIT_ACTIONS)[number];
export type AdminAuditAction = (typeof ADMIN_AUDIT_ACTIONS)[number];

/** The prefix of every administration action. */
const ADMIN_PREFIX = 'admin.';

export interface AuditEntry {
  actor: AuthUser;
  action: AuditAction;
  subjectType: 'record' | 'contact' | 'aid_request' | 'follow_up' | 'org_unit' | 'hotline' | 'intake_key' | 'user';
  /** Null for a change of many subjects at once (an import: its detail lists them). */
  subjectId: string | null;
  contactId: string | null;
  /**
   * The unit the subject belongs to: who may read the row (admins, and supervisors covering it). For a record, its
   * station; for an administration change, the unit changed, the line's station, the account's unit (any level).
   */
  stationId: string | null;
  /** What was done: field names, versions, reasons, before → after. Never the caller's number, a password or key. */
  detail?: Record<string, unknown>;
}

interface AuditRow {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  contact_id: string | null;
  station_id: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

export interface AuditFilter {
  /** Which log: the administration changes (`admin.*` actions) or, by default, the records' log (every other row). */
  log?: 'records' | 'admin';
  contactId?: string;
  actorId?: string;
  action?: string[];
  subjectId?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

export function toAuditView(r: AuditRow): RecordAuditView {
  return {
    id: String(r.id),
    at: iso(r.at),
    actorId: r.actor_id,
    actorName: r.actor_name,
    actorRole: r.actor_role,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    contactId: r.contact_id,
    stationId: r.station_id,
    detail: r.detail,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
  };
}
export type AuditView = RecordAuditView;

/**
 * The audit log: who did what to a record, when, from where. Append-only (a trigger refuses UPDATE and DELETE);
 * written in the same transaction as the change it describes, so a change without its row cannot exist.
 */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly db: Db) {}

  async write(tx: Tx | undefined, e: AuditEntry): Promise<void> {
    const from = RequestContext.current();
    await this.db.run(
      `INSERT INTO audit_log (actor_id, actor_role, action, subject_type, subject_id, contact_id, station_id, detail,
                              ip, user_agent, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        e.actor.id,
        e.actor.role,
        e.action,
        e.subjectType,
        e.subjectId,
        e.contactId,
        e.stationId,
        JSON.stringify(e.detail ?? {}),
        from.ip,
        from.userAgent,
        from.requestId,
      ],
      tx,
    );
  }

  /** Rows the reader may see (the whole organisation: every row, also rows of no station), newest first, with total. */
  async list(scope: OrgScope, f: AuditFilter): Promise<{ items: AuditView[]; total: number }> {
    const p = new Params();
    const where: string[] = [];
    if (!scope.wholeOrg) {
      where.push(`EXISTS (SELECT 1 FROM org_units s WHERE s.id = a.station_id AND ${scope.sql('s', p)})`);
    }
    where.push(`a.action ${f.log === 'admin' ? '' : 'NOT '}LIKE '${ADMIN_PREFIX}%'`);
    if (f.contactId) where.push(`a.contact_id = ${p.add(f.contactId)}`);
    if (f.subjectId) where.push(`a.subject_id = ${p.add(f.subjectId)}`);
    if (f.actorId) where.push(`a.actor_id = ${p.add(f.actorId)}`);
    if (f.action?.length) where.push(`a.action = ANY(${p.add(f.action)}::text[])`);
    if (f.from) where.push(`a.at >= ${p.add(f.from)}`);
    if (f.to) where.push(`a.at < ${p.add(f.to)}`);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log a ${cond}`, p.values);
    const limit = p.add(f.pageSize);
    const offset = p.add((f.page - 1) * f.pageSize);
    const rows = await this.db.rows<AuditRow>(
      `SELECT a.*, u.display_name AS actor_name FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
        ${cond} ORDER BY a.at DESC, a.id DESC LIMIT ${limit} OFFSET ${offset}`,
      p.values,
    );
    return { items: rows.map(toAuditView), total: total!.n };
  }
}
