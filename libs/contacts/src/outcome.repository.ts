import { Injectable } from '@nestjs/common';
import {
  OutcomeFollowUp,
  OutcomeMaterialAid,
  OutcomeProblem,
  OutcomePsychological,
  ServiceType,
  TargetGroup,
} from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { OutcomeDto } from './dto/outcome.dto';

export interface OutcomeRow {
  id: string;
  contact_id: string;
  worker_id: string;
  service_types: ServiceType[];
  target_group: TargetGroup;
  summary: string;
  psychological: OutcomePsychological | null;
  material_aid: OutcomeMaterialAid | null;
  problems: OutcomeProblem[];
  follow_up: OutcomeFollowUp | null;
  created_at: Date;
}

/** What an amendment replaces: the record's content without the follow-up (which has its own endpoints). */
export interface OutcomeContent {
  serviceTypes: string[];
  targetGroup: string;
  summary: string;
  psychological: unknown;
  materialAid: unknown;
  problems: unknown[];
}

/**
 * The one writer of `outcomes`: a contact's record in its current version. Recorded once (RecordOutcome), then
 * amended and reviewed through the records library (AmendRecord, ReviewRecord), always as conditional updates.
 */
@Injectable()
export class OutcomeRepository {
  constructor(private readonly db: Db) {}

  /** Inserts the outcome; undefined when the contact already has one. */
  async createOnce(tx: Tx, contactId: string, workerId: string, o: OutcomeDto): Promise<OutcomeRow | undefined> {
    return this.db.one<OutcomeRow>(
      `INSERT INTO outcomes (contact_id, worker_id, service_types, target_group, summary, psychological,
                             material_aid, problems, follow_up)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (contact_id) DO NOTHING RETURNING *`,
      [
        contactId,
        workerId,
        o.serviceTypes,
        o.targetGroup,
        o.summary,
        o.psychological ? JSON.stringify(o.psychological) : null,
        o.materialAid ? JSON.stringify(o.materialAid) : null,
        JSON.stringify(o.problems),
        o.followUp ? JSON.stringify(o.followUp) : null,
      ],
      tx,
    );
  }

  async findForContact(contactId: string): Promise<OutcomeRow | undefined> {
    return this.db.one<OutcomeRow>('SELECT * FROM outcomes WHERE contact_id = $1', [contactId]);
  }

  /**
   * The amendment, as a conditional update: it applies only to the version it was based on. The columns are updated
   * in place (statistics read them); undefined when the version moved on.
   */
  async amend(
    tx: Tx,
    id: string,
    fromVersion: number,
    c: OutcomeContent,
    userId: string,
  ): Promise<{ version: number } | undefined> {
    return this.db.one<{ version: number }>(
      `UPDATE outcomes SET service_types = $3, target_group = $4, summary = $5, psychological = $6, material_aid = $7,
                           problems = $8, version = version + 1, updated_at = now(), updated_by = $9
        WHERE id = $1 AND version = $2 RETURNING version`,
      [
        id,
        fromVersion,
        c.serviceTypes,
        c.targetGroup,
        c.summary,
        c.psychological ? JSON.stringify(c.psychological) : null,
        c.materialAid ? JSON.stringify(c.materialAid) : null,
        JSON.stringify(c.problems),
        userId,
      ],
      tx,
    );
  }

  /** Marks the current version reviewed; false when the record moved on or this version is already reviewed. */
  async markReviewed(tx: Tx, id: string, version: number, userId: string): Promise<boolean> {
    const res = await this.db.run(
      `UPDATE outcomes SET reviewed_version = version, reviewed_at = now(), reviewed_by = $3
        WHERE id = $1 AND version = $2 AND reviewed_version IS DISTINCT FROM version`,
      [id, version, userId],
      tx,
    );
    return res.rowCount === 1;
  }
}
