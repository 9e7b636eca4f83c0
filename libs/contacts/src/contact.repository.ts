import { Injectable } from '@nestjs/common';
import { ContactDirection } from '@kapok/contracts';
import { Clock } from '@kapok/common';
import { Db, Tx } from '@kapok/database';
import {
  Channel,
  ContactStatus,
  ContactTransitions,
  RiskLevel,
  Transition,
  TransitionName,
} from './contact-state-machine';

export interface ContactRow {
  id: string;
  hotline_id: string;
  hotline_number: string;
  station_id: string;
  intake_key_id: string;
  external_id: string | null;
  channel: Channel;
  caller_number_masked: string | null;
  caller_number_hash: string | null;
  language: string | null;
  topics: string[];
  risk_level: RiskLevel;
  priority: number;
  status: ContactStatus;
  assigned_worker_id: string | null;
  offer_count: number;
  queued_at: Date;
  offered_at: Date | null;
  answered_at: Date | null;
  ended_at: Date | null;
  completed_at: Date | null;
  abandoned_at: Date | null;
  direction: ContactDirection;
  follow_up_id: string | null;
  preferred_worker_id: string | null;
  preferred_until: Date | null;
  /** Where a transferred contact waits until accepted (docs/conversations.md): one operator, a unit, supervisors. */
  transfer_worker_id: string | null;
  transfer_unit_id: string | null;
  transfer_supervisor: boolean;
}

export interface NewContact {
  hotlineId: string;
  stationId: string;
  intakeKeyId: string;
  externalId: string | null;
  channel: Channel;
  callerNumberMasked: string | null;
  callerNumberHash: string | null;
  language: string | null;
  topics: string[];
  riskLevel: RiskLevel;
  priority: number;
  /** The id, when the caller made it (the number is encrypted for it before the row is written). */
  id?: string;
  /** The caller's number encrypted for `id` (CallerNumberStore.encrypt). */
  callerNumberEnc?: Buffer | null;
  /**
   * Continuity: a caller recognised by `callerNumberHash` who was served within `days` is reserved for the operator
   * who handled them last, for the station's continuity window (`windowSeconds` by default). Routing honours the
   * reservation only while that operator is on duty.
   */
  continuity?: { days: number; windowSeconds: number };
}

export interface CallerNumberCiphertexts {
  enc: Buffer | null;
  src_id: string | null;
  src_enc: Buffer | null;
}

/** Contact rows of `from` (the table, or a CTE of rows just written) with their line's number, as ContactRow has it. */
const withLine = (from: string) =>
  `SELECT c.*, h.number AS hotline_number FROM ${from} c JOIN hotlines h ON h.id = c.hotline_id`;
const SELECT = withLine('contacts');

/**
 * The `contacts` table: written only here. Every time it writes or compares (queued_at, the continuity reservation,
 * the transitions' times) is read from the Clock, the clock routing compares them with (docs/routing.md, "Time").
 */
@Injectable()
export class ContactRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Inserts the contact unless the same gateway already sent this externalId; two racing identical requests
   * both end up with the one row (`ON CONFLICT DO NOTHING`, then read back). One statement writes the row with its
   * encrypted number and its continuity reservation (NewContact.continuity).
   */
  async createOnce(c: NewContact): Promise<{ contact: ContactRow; created: boolean }> {
    const inserted = await this.db.one<ContactRow>(
      `WITH ins AS (
         INSERT INTO contacts (id, hotline_id, station_id, intake_key_id, external_id, channel, caller_number_masked,
                               caller_number_hash, language, topics, risk_level, priority, queued_at, caller_number_enc,
                               preferred_worker_id, preferred_until)
         SELECT COALESCE($13::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14,
                prev.worker,
                CASE WHEN prev.worker IS NOT NULL THEN $12::timestamptz + make_interval(secs => COALESCE(
                  (SELECT continuity_window_seconds FROM station_settings WHERE station_id = $2), $16)) END
           FROM (SELECT 1) one
           LEFT JOIN LATERAL (
             SELECT p.assigned_worker_id AS worker FROM contacts p
              WHERE $15::int IS NOT NULL AND p.caller_number_hash = $7 AND p.status = 'completed'
                AND p.completed_at > $12::timestamptz - make_interval(days => $15::int)
              ORDER BY p.completed_at DESC LIMIT 1) prev ON true
         ON CONFLICT (intake_key_id, external_id) WHERE external_id IS NOT NULL DO NOTHING
         RETURNING *)
       ${withLine('ins')}`,
      [
        c.hotlineId,
        c.stationId,
        c.intakeKeyId,
        c.externalId,
        c.channel,
        c.callerNumberMasked,
        c.callerNumberHash,
        c.language,
        c.topics,
        c.riskLevel,
        c.priority,
        this.clock.now(),
        c.id ?? null,
        c.callerNumberEnc ?? null,
        c.callerNumberHash && c.continuity ? c.continuity.days : null,
        c.continuity?.windowSeconds ?? null,
      ],
    );
    // the row as inserted (queued): a router may already be offering it, which the answer need not show
    if (inserted) return { contact: inserted, created: true };
    const existing = await this.db.one<ContactRow>(`${SELECT} WHERE c.intake_key_id = $1 AND c.external_id = $2`, [
      c.intakeKeyId,
      c.externalId,
    ]);
    return { contact: existing!, created: false };
  }

  /**
   * The outbound contact of a follow-up that fell due (in the transaction that moved it to contact_created): on the
   * same line as the contact that asked for it, reserved for the operator who recorded it for the station's
   * continuity window (`windowSeconds` by default). Its number is the source contact's (CallerNumberStore.read).
   */
  async createForFollowUp(tx: Tx, followUpId: string, windowSeconds: number): Promise<string> {
    const created = await this.db.one<{ id: string }>(
      `INSERT INTO contacts (hotline_id, station_id, intake_key_id, channel, caller_number_masked, caller_number_hash,
                             language, topics, risk_level, priority, direction, follow_up_id,
                             preferred_worker_id, queued_at, preferred_until)
       SELECT s.hotline_id, f.station_id, s.intake_key_id, 'phone', s.caller_number_masked, s.caller_number_hash,
              s.language, s.topics, s.risk_level, s.priority, 'outbound', f.id, f.worker_id,
              $3::timestamptz, $3::timestamptz + make_interval(secs => COALESCE(
                (SELECT continuity_window_seconds FROM station_settings WHERE station_id = f.station_id), $2))
         FROM follow_ups f JOIN contacts s ON s.id = f.source_contact_id WHERE f.id = $1
       RETURNING id`,
      [followUpId, windowSeconds, this.clock.now()],
      tx,
    );
    return created!.id;
  }

  /**
   * The encrypted number of the contact and, for an outbound follow-up contact, of the contact it follows up.
   * Only CallerNumberStore reads these columns.
   */
  async callerNumberCiphertexts(id: string): Promise<CallerNumberCiphertexts | undefined> {
    return this.db.one<CallerNumberCiphertexts>(
      `SELECT c.caller_number_enc AS enc, src.id AS src_id, src.caller_number_enc AS src_enc
         FROM contacts c LEFT JOIN follow_ups f ON f.id = c.follow_up_id
         LEFT JOIN contacts src ON src.id = f.source_contact_id
        WHERE c.id = $1`,
      [id],
    );
  }

  async find(id: string, tx?: Tx): Promise<ContactRow | undefined> {
    return this.db.one<ContactRow>(`${SELECT} WHERE c.id = $1`, [id], tx);
  }

  /** Reads and locks the contact for the rest of the transaction (every path locks contact → offer → operator). */
  async lock(id: string, tx: Tx): Promise<ContactRow | undefined> {
    return this.db.one<ContactRow>(`${SELECT} WHERE c.id = $1 FOR UPDATE OF c`, [id], tx);
  }

  /** The station's next waiting contact: highest priority, then longest waiting. Locked. */
  async lockNextWaiting(stationId: string, tx: Tx): Promise<ContactRow | undefined> {
    return this.db.one<ContactRow>(
      `${SELECT} WHERE c.station_id = $1 AND c.status = 'queued'
        ORDER BY c.priority DESC, c.queued_at, c.id LIMIT 1 FOR UPDATE OF c`,
      [stationId],
      tx,
    );
  }

  /**
   * Applies a named transition as a conditional update. Returns the updated row, or undefined when the contact
   * was not in a state the transition starts from (or, with `expectWorker`, not assigned to that operator).
   */
  async transition(
    tx: Tx,
    id: string,
    name: TransitionName,
    opts: { worker?: string; expectWorker?: string; values?: unknown[] } = {},
  ): Promise<ContactRow | undefined> {
    const t: Transition = ContactTransitions[name];
    const params: unknown[] = [id, t.from, opts.expectWorker ?? null, this.clock.now()];
    if (t.set.includes('$5')) params.push(opts.worker ?? null);
    if (opts.values) params.push(...opts.values);
    // one statement: the conditional UPDATE answers the row as find() reads it
    return this.db.one<ContactRow>(
      `WITH moved AS (
         UPDATE contacts SET status = '${t.to}', updated_at = $4, ${t.set}
          WHERE id = $1 AND status = ANY($2::text[]) AND ($3::uuid IS NULL OR assigned_worker_id = $3::uuid)
          RETURNING *)
       ${withLine('moved')}`,
      params,
      tx,
    );
  }

  /** Waiting contacts of a station, oldest first. */
  async waitingAt(stationId: string, limit = 100): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM contacts WHERE station_id = $1 AND status = 'queued' ORDER BY priority DESC, queued_at LIMIT $2`,
      [stationId, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Contacts transferred to this operator that still wait for them (docs/conversations.md "Transfer"). */
  async waitingForTransferTo(workerId: string): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM contacts WHERE transfer_worker_id = $1 AND status = 'queued' ORDER BY priority DESC, queued_at`,
      [workerId],
    );
    return rows.map((r) => r.id);
  }

  /** The contact an operator is talking to or wrapping up, if any. */
  async findHeldBy(workerId: string): Promise<ContactRow | undefined> {
    return this.db.one<ContactRow>(
      `${SELECT} WHERE c.assigned_worker_id = $1 AND c.status IN ('active','wrap_up') LIMIT 1`,
      [workerId],
    );
  }

  /** Every contact an operator is talking to or wrapping up (chats: up to their capacity), first answered first. */
  async findAllHeldBy(workerId: string): Promise<ContactRow[]> {
    return this.db.rows<ContactRow>(
      `${SELECT} WHERE c.assigned_worker_id = $1 AND c.status IN ('active','wrap_up') ORDER BY c.answered_at, c.id`,
      [workerId],
    );
  }

  async findActiveHeldBy(workerId: string, tx: Tx): Promise<ContactRow | undefined> {
    return this.db.one<ContactRow>(
      `${SELECT} WHERE c.assigned_worker_id = $1 AND c.status = 'active' FOR UPDATE OF c`,
      [workerId],
      tx,
    );
  }
}
