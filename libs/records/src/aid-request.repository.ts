import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';
import { OrgScope, underUnitSql } from '@kapok/org';
import {
  AID_ITEMS_CHANGEABLE_IN,
  AidStatus,
  AidTransition,
  AidTransitionName,
  AidTransitions,
  OPEN_AID_STATUSES,
} from './aid-state-machine';
import { OutcomeInput } from './record.types';
import { Params } from './sql';

export type AidItems = NonNullable<OutcomeInput['materialAid']>['items'];

export interface AidRequestRow {
  id: string;
  contact_id: string;
  origin_station_id: string;
  origin_station_name: string;
  delivering_station_id: string;
  delivering_station_name: string;
  delivering_point_id: string | null;
  delivering_point_name: string | null;
  items: AidItems;
  status: AidStatus;
  requested_by: string;
  requested_by_name: string | null;
  requested_at: Date;
  arranged_by: string | null;
  arranged_at: Date | null;
  delivered_by: string | null;
  delivered_at: Date | null;
  cancelled_by: string | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  overdue_flagged_at: Date | null;
  updated_at: Date;
  overdue: boolean;
  overdue_since: Date;
  caller_number_masked: string | null;
}

export interface AidStepRow {
  id: string;
  aid_request_id: string;
  from_status: AidStatus | null;
  to_status: AidStatus;
  actor_id: string;
  actor_name: string | null;
  at: Date;
  note: string | null;
}

export interface AidFilter {
  status?: AidStatus[];
  /** Only requests delivered by stations under this unit. */
  orgUnitId?: string;
  contactId?: string;
  overdue?: boolean;
  sort?: 'requestedAt' | '-requestedAt';
  page: number;
  pageSize: number;
}

/** $1 is always the overdue threshold in hours. */
const COLUMNS = `
  a.*, os.name AS origin_station_name, ds.name AS delivering_station_name, dp.name AS delivering_point_name,
  ru.display_name AS requested_by_name, c.caller_number_masked,
  (a.status IN ('requested','arranged') AND a.requested_at < now() - make_interval(secs => $1::float8 * 3600)) AS overdue,
  a.requested_at + make_interval(secs => $1::float8 * 3600) AS overdue_since`;
const FROM = `
  aid_requests a JOIN org_units os ON os.id = a.origin_station_id JOIN org_units ds ON ds.id = a.delivering_station_id
  LEFT JOIN org_units dp ON dp.id = a.delivering_point_id
  JOIN contacts c ON c.id = a.contact_id LEFT JOIN users ru ON ru.id = a.requested_by`;

/** Material-aid requests: a tracked item of work for the delivering station, and the history of its steps. */
@Injectable()
export class AidRequestRepository {
  constructor(private readonly db: Db) {}

  async create(
    tx: Tx,
    r: {
      contactId: string;
      originStationId: string;
      deliveringStationId: string;
      /** The 村(居) point of the delivering station that delivers, if one was named. */
      deliveringPointId: string | null;
      items: AidItems;
      requestedBy: string;
    },
  ): Promise<string> {
    const row = await this.db.one<{ id: string }>(
      `INSERT INTO aid_requests (contact_id, origin_station_id, delivering_station_id, delivering_point_id, items,
                                 requested_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        r.contactId,
        r.originStationId,
        r.deliveringStationId,
        r.deliveringPointId,
        JSON.stringify(r.items),
        r.requestedBy,
      ],
      tx,
    );
    await this.addStep(tx, row!.id, null, 'requested', r.requestedBy, null);
    return row!.id;
  }

  async find(id: string, overdueHours: number, tx?: Tx): Promise<AidRequestRow | undefined> {
    return this.db.one<AidRequestRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE a.id = $2`, [overdueHours, id], tx);
  }

  async lock(id: string, overdueHours: number, tx: Tx): Promise<AidRequestRow | undefined> {
    return this.db.one<AidRequestRow>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE a.id = $2 FOR UPDATE OF a`,
      [overdueHours, id],
      tx,
    );
  }

  async forContacts(contactIds: string[], overdueHours: number, tx?: Tx): Promise<AidRequestRow[]> {
    if (!contactIds.length) return [];
    return this.db.rows<AidRequestRow>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE a.contact_id = ANY($2::uuid[]) ORDER BY a.requested_at, a.id`,
      [overdueHours, contactIds],
      tx,
    );
  }

  /** The latest request of a contact, locked (amendments keep it in step with the record). */
  async lockLatestForContact(contactId: string, overdueHours: number, tx: Tx): Promise<AidRequestRow | undefined> {
    return this.db.one<AidRequestRow>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE a.contact_id = $2 ORDER BY a.requested_at DESC, a.id DESC LIMIT 1 FOR UPDATE OF a`,
      [overdueHours, contactId],
      tx,
    );
  }

  /**
   * Applies a named transition as a conditional update and records the step. Returns false when the request was
   * not in a state the transition starts from (nothing changed).
   */
  async transition(
    tx: Tx,
    id: string,
    name: AidTransitionName,
    actorId: string,
    note: string | null,
  ): Promise<{ from: AidStatus } | undefined> {
    const t: AidTransition = AidTransitions[name];
    const params: unknown[] = [id, t.from, actorId];
    if (t.set.includes('$4')) params.push(note);
    const row = await this.db.one<{ from: AidStatus }>(
      `UPDATE aid_requests a SET status = '${t.to}', updated_at = now(), ${t.set}
         FROM (SELECT id, status FROM aid_requests WHERE id = $1 FOR UPDATE) old
        WHERE a.id = old.id AND a.status = ANY($2::text[])
        RETURNING old.status AS "from"`,
      params,
      tx,
    );
    if (!row) return undefined;
    await this.addStep(tx, id, row.from, t.to, actorId, note);
    return row;
  }

  /**
   * An amendment changed what is asked for or where it is delivered from (station, 村(居) point), while the state
   * machine still allows it (only requested): a conditional update; false when the request moved on.
   */
  async replaceItems(
    tx: Tx,
    id: string,
    r: {
      items: AidItems;
      deliveringStationId: string;
      deliveringPointId: string | null;
      actorId: string;
      note: string;
    },
  ): Promise<boolean> {
    const row = await this.db.one<{ status: AidStatus }>(
      `UPDATE aid_requests SET items = $2, delivering_station_id = $3, delivering_point_id = $5, updated_at = now(),
              overdue_flagged_at = NULL
        WHERE id = $1 AND status = ANY($4::text[]) RETURNING status`,
      [id, JSON.stringify(r.items), r.deliveringStationId, AID_ITEMS_CHANGEABLE_IN, r.deliveringPointId],
      tx,
    );
    if (!row) return false;
    await this.addStep(tx, id, row.status, row.status, r.actorId, r.note);
    return true;
  }

  /** The delivering stations of the contact's open requests (they may read the caller's number). */
  async openDeliveringStations(contactId: string): Promise<string[]> {
    const rows = await this.db.rows<{ delivering_station_id: string }>(
      `SELECT delivering_station_id FROM aid_requests WHERE contact_id = $1 AND status = ANY($2::text[])`,
      [contactId, OPEN_AID_STATUSES],
    );
    return rows.map((r) => r.delivering_station_id);
  }

  async steps(ids: string[]): Promise<AidStepRow[]> {
    if (!ids.length) return [];
    return this.db.rows<AidStepRow>(
      `SELECT st.*, u.display_name AS actor_name FROM aid_request_steps st LEFT JOIN users u ON u.id = st.actor_id
        WHERE st.aid_request_id = ANY($1::uuid[]) ORDER BY st.at, st.id`,
      [ids],
    );
  }

  /**
   * Requests where the delivering or the requesting station is in the scope, oldest first unless
   * asked otherwise, with the total.
   */
  async list(scope: OrgScope, overdueHours: number, f: AidFilter): Promise<{ rows: AidRequestRow[]; total: number }> {
    const p = new Params();
    p.add(overdueHours);
    const where: string[] = [];
    if (!scope.wholeOrg) where.push(`(${scope.sql('ds', p)} OR ${scope.sql('os', p)})`);
    if (f.status?.length) where.push(`a.status = ANY(${p.add(f.status)}::text[])`);
    if (f.orgUnitId) where.push(underUnitSql('ds.path', f.orgUnitId, p));
    if (f.contactId) where.push(`a.contact_id = ${p.add(f.contactId)}`);
    const overdue = `(a.status IN ('requested','arranged') AND a.requested_at < now() - make_interval(secs => $1::float8 * 3600))`;
    if (f.overdue !== undefined) where.push(f.overdue ? overdue : `NOT ${overdue}`);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // $1 (the threshold) is selected so that it is typed even when no filter uses it.
    const total = await this.db.one<{ n: number }>(
      `SELECT count(*)::int AS n, $1::float8 AS threshold FROM ${FROM} ${cond}`,
      p.values,
    );
    const limit = p.add(f.pageSize);
    const offset = p.add((f.page - 1) * f.pageSize);
    const order = f.sort === '-requestedAt' ? 'a.requested_at DESC, a.id' : 'a.requested_at ASC, a.id';
    const rows = await this.db.rows<AidRequestRow>(
      `SELECT ${COLUMNS} FROM ${FROM} ${cond} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
      p.values,
    );
    return { rows, total: total!.n };
  }

  /**
   * Open requests past the threshold not flagged yet: marks them flagged (a conditional update, so with several
   * processes sweeping each request is flagged once) and returns them.
   */
  async flagOverdue(overdueHours: number, limit = 200): Promise<AidRequestRow[]> {
    const flagged = await this.db.rows<{ id: string }>(
      `UPDATE aid_requests SET overdue_flagged_at = now()
        WHERE id IN (SELECT id FROM aid_requests
                      WHERE status IN ('requested','arranged') AND overdue_flagged_at IS NULL
                        AND requested_at < now() - make_interval(secs => $1::float8 * 3600)
                      ORDER BY requested_at LIMIT $2 FOR UPDATE SKIP LOCKED)
          AND overdue_flagged_at IS NULL
        RETURNING id`,
      [overdueHours, limit],
    );
    if (!flagged.length) return [];
    return this.db.rows<AidRequestRow>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE a.id = ANY($2::uuid[]) ORDER BY a.requested_at`,
      [overdueHours, flagged.map((r) => r.id)],
    );
  }

  private async addStep(
    tx: Tx,
    id: string,
    from: AidStatus | null,
    to: AidStatus,
    actorId: string,
    note: string | null,
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO aid_request_steps (aid_request_id, from_status, to_status, actor_id, note) VALUES ($1, $2, $3, $4, $5)`,
      [id, from, to, actorId, note],
      tx,
    );
  }
}
