import { Injectable, Logger } from '@nestjs/common';
import { CallerNumberCipher } from './caller-number-cipher';
import { ContactRepository } from './contact.repository';

/**
 * The caller's full number, encrypted in `contacts.caller_number_enc` (written and read through ContactRepository).
 * Everything else in Kapok sees only the masked number (`caller_number_masked`) and the keyed hash
 * (`caller_number_hash`) that recognises a repeat caller. Who may read it is the records library's rule
 * (ReadCallerNumber).
 */
@Injectable()
export class CallerNumberStore {
  private readonly logger = new Logger(CallerNumberStore.name);

  constructor(
    private readonly contacts: ContactRepository,
    private readonly cipher: CallerNumberCipher,
  ) {}

  /** The number encrypted for this contact, as stored (for a contact written with it: ContactRepository.createOnce). */
  encrypt(contactId: string, number: string): Buffer {
    return this.cipher.encrypt(contactId, number);
  }

  /**
   * The number of the contact, or for an outbound follow-up contact without one, of the contact it follows up.
   * Null when there is none (a chat) or it cannot be decrypted (a different key).
   */
  async read(contactId: string): Promise<string | null> {
    const row = await this.contacts.callerNumberCiphertexts(contactId);
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
