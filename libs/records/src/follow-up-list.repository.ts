import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Db, Tx } from '@kapok/database';
import { OrgScope } from '@kapok/org';
import { Params } from './sql';

export type FollowUpStatus = 'scheduled' | 'contact_created' | 'done' | 'cancelled';
export const FOLLOW_UP_STATUSES: FollowUpStatus[] = ['scheduled', 'contact_created', 'done', 'cancelled'];
export const OPEN_FOLLOW_UP_STATUSES: FollowUpStatus[] = ['scheduled', 'contact_created'];

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
  source_risk_assessment: string | null;
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
 * Follow-ups (callbacks) as work lists, per operator and station. The follow_ups table belongs to the contacts
 * library (scheduling, the outbound contact); this is the records side: listing and completing.
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

  /** Follow-ups of the stations in scope (null: all) and the user's own; by due time, earliest first. */
  async list(user: AuthUser, scope: OrgScope | null, f: FollowUpFilter): Promise<{ rows: FollowUpListRow[]; total: number }> {
    const p = new Params();
    const where: string[] = [];
    if (scope) {
      where.push(`(s.path LIKE ${p.add(scope.rootPath)} || '%' OR s.id = ANY(${p.add(scope.extraUnitIds)}::uuid[])
                   OR f.worker_id = ${p.add(user.id)})`);
    }
    if (f.workerId) where.push(`f.worker_id = ${p.add(f.workerId)}`);
    if (f.orgUnitId) where.push(`s.path LIKE (SELECT u2.path FROM org_units u2 WHERE u2.id = ${p.add(f.orgUnitId)}) || '%'`);
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

  /** Open → done, linking the contact in which it was made; false when it was no longer open. */
  async complete(tx: Tx, id: string, contactId: string | null): Promise<boolean> {
    const res = await this.db.run(
      `UPDATE follow_ups SET status = 'done', completed_at = now(), contact_id = COALESCE($2, contact_id)
        WHERE id = $1 AND status IN ('scheduled','contact_created')`,
      [id, contactId],
      tx,
    );
    return res.rowCount === 1;
  }
}
