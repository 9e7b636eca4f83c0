import { Injectable } from '@nestjs/common';
import { AppConfig, decodeKey32 } from '@kapok/config';
import { SecretCipher } from './secret-cipher';

/**
 * The caller's number at rest: SecretCipher (AES-256-GCM) with the key CALLER_NUMBER_ENCRYPTION_KEY itself and the
 * contact's id as additional authenticated data (a ciphertext copied onto another contact does not decrypt).
 */
@Injectable()
export class CallerNumberCipher {
  private readonly cipher: SecretCipher;

  constructor(config: AppConfig) {
    const key = decodeKey32(config.get('CALLER_NUMBER_ENCRYPTION_KEY'));
    if (!key) throw new Error('CALLER_NUMBER_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)');
    this.cipher = new SecretCipher(key);
  }

  /** Digits and a leading + only: how the number is dialled back. */
  static normalise(raw: string): string {
    return raw.replace(/[^0-9+]/g, '');
  }

  encrypt(contactId: string, number: string): Buffer {
    return this.cipher.encrypt(aad(contactId), CallerNumberCipher.normalise(number));
  }

  /** Throws when the value was not made by this key for this contact (tampered, wrong key, other contact). */
  decrypt(contactId: string, value: Buffer): string {
    try {
      return this.cipher.decrypt(aad(contactId), value);
    } catch (err) {
      if ((err as Error).message === 'unknown secret format')
        throw new Error('unknown caller number format', { cause: err });
      throw err;
    }
  }
}

const aad = (contactId: string) => `kapok:contact:${contactId.toLowerCase()}`;
