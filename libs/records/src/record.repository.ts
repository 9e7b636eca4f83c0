import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { ContactStatus } from '@kapok/contacts';
import {
  Channel,
  ContactDirection,
  RecordField,
  RecordFollowUpFilter,
  RecordSort,
  RiskLevel,
  ServiceType,
  TargetGroup,
} from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { OrgScope, underUnitSql } from '@kapok/org';
import { RecordAccess } from './record-access';
import { AUTHOR_AMEND_WINDOW_HOURS, OutcomeInput, RecordContent } from './record.types';
import { Params, likeEscape } from './sql';

/** A contact with its current record (outcome), as the records API reads it. Never the caller's full number. */
export interface RecordRow {
  contact_id: string;
  status: ContactStatus;
  channel: Channel;
  direction: ContactDirection;
  station_id: string;
  station_name: string;
  hotline_number: string;
  caller_number_masked: string | null;
  caller_number_hash: string | null;
  risk_level: RiskLevel;
  assigned_worker_id: string | null;
  worker_name: string | null;
  follow_up_id: string | null;
  queued_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  completed_at: Date | null;
  abandoned_at: Date | null;
  outcome_id: string | null;
  author_id: string | null;
  author_name: string | null;
  service_types: ServiceType[] | null;
  target_group: TargetGroup | null;
  summary: string | null;
  psychological: RecordContent['psychological'];
  material_aid: RecordContent['materialAid'];
  problems: RecordContent['problems'] | null;
  follow_up: RecordContent['followUp'];
  version: number | null;
  recorded_at: Date | null;
  updated_at: Date | null;
  updated_by: string | null;
  reviewed_version: number | null;
  reviewed_at: Date | null;
  reviewed_by: string | null;
  reviewed_by_name: string | null;
  amendable_until: Date | null;
  risk_rank: number;
}

export interface VersionRow {
  version: number;
  author_id: string;
  author_name: string | null;
  created_at: Date;
  reason: string | null;
  changed: RecordField[];
  content: RecordContent;
}

export interface ReviewRow {
  id: string;
  outcome_version: number;
  reviewer_id: string;
  reviewer_name: string | null;
  comment: string | null;
  created_at: Date;
}

// The sort orders of `GET /api/records` (shared with the console).
export { RECORD_SORTS } from '@kapok/contracts';
export type { RecordSort } from '@kapok/contracts';

export interface RecordFilter {
  from?: Date;
  to?: Date;
  orgUnitId?: string;
  operatorId?: string;
  status?: string[];
  serviceType?: string[];
  riskAssessment?: string[];
  riskLevel?: string[];
  highRisk?: boolean;
  targetGroup?: string[];
  reviewed?: boolean;
  followUp?: RecordFollowUpFilter;
  followUpDueBefore?: Date;
  problemResolution?: string[];
  aidStatus?: string[];
  q?: string;
  sort?: RecordSort;
  page: number;
  pageSize: number;
}

const RISK_RANK = `GREATEST(
    CASE o.psychological->>'riskAssessment' WHEN 'imminent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
                                             WHEN 'low' THEN 1 ELSE 0 END,
    CASE c.risk_level WHEN 'critical' THEN 4 WHEN 'high' THEN 3 ELSE 0 END)`;
const UNREVIEWED = `(o.id IS NOT NULL AND o.reviewed_version IS DISTINCT FROM o.version)`;

const COLUMNS = `
  c.id AS contact_id, c.status, c.channel, c.direction, c.station_id, s.name AS station_name, h.number AS hotline_number,
  c.caller_number_masked, c.caller_number_hash, c.risk_level, c.assigned_worker_id, ww.display_name AS worker_name,
  c.follow_up_id, c.queued_at, c.answered_at, c.ended_at, c.completed_at, c.abandoned_at,
  o.id AS outcome_id, o.worker_id AS author_id, aw.display_name AS author_name, o.service_types, o.target_group,
  o.summary, o.psychological, o.material_aid, o.problems, o.follow_up, o.version, o.created_at AS recorded_at,
  o.updated_at, o.updated_by, o.reviewed_version, o.reviewed_at, o.reviewed_by, rv.display_name AS reviewed_by_name,
  o.created_at + interval '${AUTHOR_AMEND_WINDOW_HOURS} hours' AS amendable_until,
  ${RISK_RANK} AS risk_rank`;
const FROM = `
  contacts c JOIN hotlines h ON h.id = c.hotline_id JOIN org_units s ON s.id = c.station_id
  LEFT JOIN outcomes o ON o.contact_id = c.id
  LEFT JOIN users ww ON ww.id = c.assigned_worker_id
  LEFT JOIN users aw ON aw.id = o.worker_id
  LEFT JOIN users rv ON rv.id = o.reviewed_by`;

const ORDER: Record<RecordSort, string> = {
  '-queuedAt': 'c.queued_at DESC, c.id',
  queuedAt: 'c.queued_at ASC, c.id',
  '-completedAt': 'c.completed_at DESC NULLS LAST, c.id',
  completedAt: 'c.completed_at ASC NULLS LAST, c.id',
  // unreviewed high-risk records first, then by risk, oldest first
  risk: `(${UNREVIEWED} AND ${RISK_RANK} >= 3) DESC, ${RISK_RANK} DESC, c.completed_at ASC NULLS LAST, c.id`,
};

/**
 * Records as they are read (a contact with its outcome), and the one writer of outcome_versions, record_problems
 * and record_reviews. The outcome row itself is written by OutcomeRepository (@kapok/contacts).
 */
@Injectable()
export class RecordRepository {
  constructor(
    private readonly db: Db,
    private readonly access: RecordAccess,
  ) {}

  async find(contactId: string, tx?: Tx): Promise<RecordRow | undefined> {
    return this.db.one<RecordRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE c.id = $1`, [contactId], tx);
  }

  /** The record with its outcome row locked for the rest of the transaction. */
  async lock(contactId: string, tx: Tx): Promise<RecordRow | undefined> {
    // (FOR UPDATE cannot name the nullable side of the outer join: the outcome is locked on its own first)
    await this.db.run('SELECT 1 FROM outcomes WHERE contact_id = $1 FOR UPDATE', [contactId], tx);
    return this.find(contactId, tx);
  }

  async list(user: AuthUser, scope: OrgScope, f: RecordFilter): Promise<{ rows: RecordRow[]; total: number }> {
    const p = new Params();
    const where = [this.access.visibleSql(p, user, scope, 's', 'c.assigned_worker_id', 'o.worker_id')];
    if (f.from) where.push(`c.queued_at >= ${p.add(f.from)}`);
    if (f.to) where.push(`c.queued_at < ${p.add(f.to)}`);
    if (f.orgUnitId) where.push(underUnitSql('s.path', f.orgUnitId, p));
    if (f.operatorId) where.push(`COALESCE(o.worker_id, c.assigned_worker_id) = ${p.add(f.operatorId)}`);
    if (f.status?.length) where.push(`c.status = ANY(${p.add(f.status)}::text[])`);
    if (f.serviceType?.length) where.push(`o.service_types && ${p.add(f.serviceType)}::text[]`);
    if (f.riskAssessment?.length) {
      where.push(`o.psychological->>'riskAssessment' = ANY(${p.add(f.riskAssessment)}::text[])`);
    }
    if (f.riskLevel?.length) where.push(`c.risk_level = ANY(${p.add(f.riskLevel)}::text[])`);
    if (f.highRisk !== undefined) where.push(`${f.highRisk ? '' : 'NOT '}(${RISK_RANK} >= 3)`);
    if (f.targetGroup?.length) where.push(`o.target_group = ANY(${p.add(f.targetGroup)}::text[])`);
    if (f.reviewed === true) where.push(`o.reviewed_version = o.version`);
    if (f.reviewed === false) where.push(UNREVIEWED);
    const openFollowUp = `fu.source_contact_id = c.id AND fu.status IN ('scheduled','contact_created')`;
    if (f.followUp === 'open') where.push(`EXISTS (SELECT 1 FROM follow_ups fu WHERE ${openFollowUp})`);
    if (f.followUp === 'overdue') {
      where.push(`EXISTS (SELECT 1 FROM follow_ups fu WHERE ${openFollowUp} AND fu.due_at < now())`);
    }
    if (f.followUp === 'done') {
      where.push(`EXISTS (SELECT 1 FROM follow_ups fu WHERE fu.source_contact_id = c.id AND fu.status = 'done')`);
    }
    if (f.followUp === 'none') where.push(`NOT EXISTS (SELECT 1 FROM follow_ups fu WHERE fu.source_contact_id = c.id)`);
    if (f.followUpDueBefore) {
      where.push(
        `EXISTS (SELECT 1 FROM follow_ups fu WHERE ${openFollowUp} AND fu.due_at <= ${p.add(f.followUpDueBefore)})`,
      );
    }
    if (f.problemResolution?.length) {
      where.push(`EXISTS (SELECT 1 FROM record_problems rp WHERE rp.contact_id = c.id
                            AND rp.resolution = ANY(${p.add(f.problemResolution)}::text[]))`);
    }
    if (f.aidStatus?.length) {
      where.push(`EXISTS (SELECT 1 FROM aid_requests ar WHERE ar.contact_id = c.id
                            AND ar.status = ANY(${p.add(f.aidStatus)}::text[]))`);
    }
    if (f.q) where.push(`o.summary ILIKE '%' || ${p.add(likeEscape(f.q))} || '%'`);
    const cond = where.join(' AND ');
    const total = await this.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${FROM} WHERE ${cond}`, p.values);
    const limit = p.add(f.pageSize);
    const offset = p.add((f.page - 1) * f.pageSize);
    const rows = await this.db.rows<RecordRow>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE ${cond} ORDER BY ${ORDER[f.sort ?? '-queuedAt']} LIMIT ${limit} OFFSET ${offset}`,
      p.values,
    );
    return { rows, total: total!.n };
  }

  /**
   * The same caller's other contacts (by the keyed hash of the number) that came in before `before`, within
   * what the user may see; newest first.
   */
  async sameCaller(
    user: AuthUser,
    scope: OrgScope,
    hash: string,
    before: { contactId: string; queuedAt: Date },
    limit: number,
  ): Promise<RecordRow[]> {
    const p = new Params();
    const visible = this.access.visibleSql(p, user, scope, 's', 'c.assigned_worker_id', 'o.worker_id');
    return this.db.rows<RecordRow>(
      `SELECT ${COLUMNS} FROM ${FROM}
        WHERE c.caller_number_hash = ${p.add(hash)} AND c.id <> ${p.add(before.contactId)}
          AND c.queued_at <= ${p.add(before.queuedAt)} AND ${visible}
        ORDER BY c.queued_at DESC, c.id LIMIT ${p.add(limit)}`,
      p.values,
    );
  }

  async versions(contactId: string): Promise<VersionRow[]> {
    return this.db.rows<VersionRow>(
      `SELECT v.version, v.author_id, u.display_name AS author_name, v.created_at, v.reason, v.changed, v.content
         FROM outcome_versions v LEFT JOIN users u ON u.id = v.author_id
        WHERE v.contact_id = $1 ORDER BY v.version`,
      [contactId],
    );
  }

  async reviews(contactId: string): Promise<ReviewRow[]> {
    return this.db.rows<ReviewRow>(
      `SELECT r.id, r.outcome_version, r.reviewer_id, u.display_name AS reviewer_name, r.comment, r.created_at
         FROM record_reviews r LEFT JOIN users u ON u.id = r.reviewer_id
        WHERE r.contact_id = $1 ORDER BY r.created_at, r.id`,
      [contactId],
    );
  }

  async addVersion(
    tx: Tx,
    v: {
      contactId: string;
      outcomeId: string;
      version: number;
      authorId: string;
      reason: string | null;
      changed: string[];
      content: RecordContent;
    },
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO outcome_versions (contact_id, outcome_id, version, author_id, reason, changed, content)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [v.contactId, v.outcomeId, v.version, v.authorId, v.reason, v.changed, JSON.stringify(v.content)],
      tx,
    );
  }

  /** Replaces the record's normalised problems (the outcome's `problems` column keeps them too). */
  async replaceProblems(tx: Tx, contactId: string, problems: OutcomeInput['problems']): Promise<void> {
    await this.db.run('DELETE FROM record_problems WHERE contact_id = $1', [contactId], tx);
    if (!problems.length) return;
    await this.db.run(
      `INSERT INTO record_problems (contact_id, position, category, resolution)
       SELECT $1, p.ord - 1, p.category, p.resolution
         FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS p(category, resolution, ord)`,
      [contactId, problems.map((x) => x.category), problems.map((x) => x.resolution)],
      tx,
    );
  }

  /** The versions after `afterVersion` that `authorId` wrote, in order. */
  async versionsWrittenBy(tx: Tx, contactId: string, authorId: string, afterVersion: number): Promise<number[]> {
    const rows = await this.db.rows<{ version: number }>(
      `SELECT version FROM outcome_versions WHERE contact_id = $1 AND author_id = $2 AND version > $3 ORDER BY version`,
      [contactId, authorId, afterVersion],
      tx,
    );
    return rows.map((r) => r.version);
  }

  async addReview(
    tx: Tx,
    r: { contactId: string; version: number; reviewerId: string; comment: string | null },
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO record_reviews (contact_id, outcome_version, reviewer_id, comment) VALUES ($1, $2, $3, $4)`,
      [r.contactId, r.version, r.reviewerId, r.comment],
      tx,
    );
  }
}
