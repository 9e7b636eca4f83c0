import { Injectable, Logger } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';
import { CallerNumberCipher } from './caller-number-cipher';

/**
 * The caller's full number, encrypted in `contacts.caller_number_enc`. Everything else in Kapok sees only the
 * masked number (`caller_number_masked`) and the keyed hash (`caller_number_hash`) that recognises a repeat caller.
 */
@Injectable()
export class CallerNumberStore {
  private readonly logger = new Logger(CallerNumberStore.name);

  constructor(
    private readonly db: Db,
    private readonly cipher: CallerNumberCipher,
  ) {}

  /** Stores the number of a contact that has none yet (a gateway retry fills in what a crash left out). */
  async store(contactId: string, number: string, tx?: Tx): Promise<void> {
    await this.db.run(
      'UPDATE contacts SET caller_number_enc = $2 WHERE id = $1 AND caller_number_enc IS NULL',
      [contactId, this.cipher.encrypt(contactId, number)],
      tx,
    );
  }

  /**
   * The number of the contact, or for an outbound follow-up contact without one, of the contact it follows up.
   * Null when there is none (a chat) or it cannot be decrypted (a different key).
   */
  async read(contactId: string): Promise<string | null> {
    const row = await this.db.one<{ enc: Buffer | null; src_id: string | null; src_enc: Buffer | null }>(
      `SELECT c.caller_number_enc AS enc, src.id AS src_id, src.caller_number_enc AS src_enc
         FROM contacts c LEFT JOIN follow_ups f ON f.id = c.follow_up_id
         LEFT JOIN contacts src ON src.id = f.source_contact_id
        WHERE c.id = $1`,
      [contactId],
    );
    if (!row) return null;
    const [id, enc] = row.enc ? [contactId, row.enc] : [row.src_id, row.src_enc];
    if (!id || !enc) return null;
    try {
      return this.cipher.decrypt(id, enc);
    } catch (err) {
      this.logger.error(`caller number of contact ${id} does not decrypt: ${(err as Error).message}`);
      return null;
    }
  }
}
