import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';
import { OutcomeDto } from './dto/outcome.dto';

export interface OutcomeRow {
  id: string;
  contact_id: string;
  worker_id: string;
  service_types: string[];
  target_group: string;
  summary: string;
  psychological: unknown;
  material_aid: unknown;
  problems: unknown[];
  follow_up: unknown;
  created_at: Date;
}

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
}
