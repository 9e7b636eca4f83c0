import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Db, Tx } from '@kapok/database';

export interface TransferRow {
  id: string;
  contact_id: string;
  from_user_id: string;
  to_user_id: string | null;
  to_unit_id: string | null;
  to_supervisor: boolean;
  note_enc: Buffer | null;
  created_at: Date;
}

/** The `contact_transfers` table: written only here (the note encrypted by MessageTextCipher). */
@Injectable()
export class TransferRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async insert(tx: Tx, t: Omit<TransferRow, 'created_at'>): Promise<TransferRow> {
    const row = await this.db.one<TransferRow>(
      `INSERT INTO contact_transfers (id, contact_id, from_user_id, to_user_id, to_unit_id, to_supervisor, note_enc,
                                      created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [t.id, t.contact_id, t.from_user_id, t.to_user_id, t.to_unit_id, t.to_supervisor, t.note_enc, this.clock.now()],
      tx,
    );
    return row!;
  }

  async forContact(contactId: string): Promise<TransferRow[]> {
    return this.db.rows<TransferRow>('SELECT * FROM contact_transfers WHERE contact_id = $1 ORDER BY n', [contactId]);
  }

  async purgeNotes(tx: Tx, contactId: string): Promise<void> {
    await this.db.run('UPDATE contact_transfers SET note_enc = NULL WHERE contact_id = $1', [contactId], tx);
  }
}
