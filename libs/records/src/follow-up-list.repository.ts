import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { FollowUpStatus } from '@kapok/contacts';
import { RiskAssessment } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { OrgScope, underUnitSql } from '@kapok/org';
import { Params } from './sql';

// The follow-up's statuses belong to its state machine (@kapok/contacts); re-exported for this library's readers.
export { FOLLOW_UP_STATUSES, OPEN_FOLLOW_UP_STATUSES } from '@kapok/contacts';
export type { FollowUpStatus } from '@kapok/contacts';

export interface FollowUpListRow {
  id: string;
  source_contact_id: string;
  worker_id: string;
  worker_name: string | null;
  station_id: string;
  station_name: string;
  due_at: Date;
  note: string;
  status: FollowUpStatus;
  contact_id: string | null;
  created_at: Date;
  completed_at: Date | null;
  overdue: boolean;
  caller_number_masked: string | null;
  caller_number_hash: string | null;
  source_station_id: string;
  source_assigned_worker_id: string | null;
  source_risk_assessment: RiskAssessment | null;
  source_summary: string | null;
}

export interface FollowUpFilter {
  workerId?: string;
  orgUnitId?: string;
  status?: FollowUpStatus[];
  overdue?: boolean;
  dueBefore?: Date;
  sourceContactId?: string;
  page: number;
  pageSize: number;
}

const COLUMNS = `
  f.*, u.display_name AS worker_name, s.name AS station_name,
  (f.status IN ('scheduled','contact_created') AND f.due_at < now()) AS overdue,
  src.caller_number_masked, src.caller_number_hash, src.station_id AS source_station_id,
  src.assigned_worker_id AS source_assigned_worker_id,
  o.psychological->>'riskAssessment' AS source_risk_assessment, o.summary AS source_summary`;
const FROM = `
  follow_ups f JOIN org_units s ON s.id = f.station_id JOIN contacts src ON src.id = f.source_contact_id
  LEFT JOIN outcomes o ON o.contact_id = f.source_contact_id LEFT JOIN users u ON u.id = f.worker_id`;

/**
 * Follow-ups (callbacks) as work lists, per operator and station: reads only. The follow_ups table is written by
 * FollowUpRepository (@kapok/contacts), through the follow-up state machine; CompleteFollowUp completes one there.
 */
@Injectable()
export class FollowUpListRepository {
  constructor(private readonly db: Db) {}

  async find(id: string, tx?: Tx): Promise<FollowUpListRow | undefined> {
    return this.db.one<FollowUpListRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE f.id = $1`, [id], tx);
  }

  async lock(id: string, tx: Tx): Promise<FollowUpListRow | undefined> {
    return this.db.one<FollowUpListRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE f.id = $1 FOR UPDATE OF f`, [id], tx);
  }

  async forContacts(contactIds: string[]): Promise<FollowUpListRow[]> {
    if (!contactIds.length) return [];
    return this.db.rows<FollowUpListRow>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE f.source_contact_id = ANY($1::uuid[]) ORDER BY f.due_at`,
      [contactIds],
    );
  }

  /** Follow-ups of the stations in scope and the user's own; by due time, earliest first. */
  async list(user: AuthUser, scope: OrgScope, f: FollowUpFilter): Promise<{ rows: FollowUpListRow[]; total: number }> {
    const p = new Params();
    const where: string[] = [];
    if (!scope.wholeOrg) where.push(`(${scope.sql('s', p)} OR f.worker_id = ${p.add(user.id)})`);
    if (f.workerId) where.push(`f.worker_id = ${p.add(f.workerId)}`);
    if (f.orgUnitId) where.push(underUnitSql('s.path', f.orgUnitId, p));
    if (f.status?.length) where.push(`f.status = ANY(${p.add(f.status)}::text[])`);
    const overdue = `(f.status IN ('scheduled','contact_created') AND f.due_at < now())`;
    if (f.overdue !== undefined) where.push(f.overdue ? overdue : `NOT ${overdue}`);
    if (f.dueBefore) where.push(`f.due_at <= ${p.add(f.dueBefore)}`);
    if (f.sourceContactId) where.push(`f.source_contact_id = ${p.add(f.sourceContactId)}`);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${FROM} ${cond}`, p.values);
    const limit = p.add(f.pageSize);
    const offset = p.add((f.page - 1) * f.pageSize);
    const rows = await this.db.rows<FollowUpListRow>(
      `SELECT ${COLUMNS} FROM ${FROM} ${cond} ORDER BY f.due_at, f.id LIMIT ${limit} OFFSET ${offset}`,
      p.values,
    );
    return { rows, total: total!.n };
  }

  /** Whether the contact asked for, or is the outbound contact of, a follow-up of this operator. */
  async followedUpBy(contactId: string, workerId: string): Promise<boolean> {
    const row = await this.db.one(
      `SELECT 1 FROM follow_ups f JOIN contacts c ON c.id = $1
        WHERE (f.source_contact_id = c.id OR f.id = c.follow_up_id) AND f.worker_id = $2`,
      [contactId, workerId],
    );
    return !!row;
  }
}
