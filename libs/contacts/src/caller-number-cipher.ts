import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppConfig, decodeKey32 } from '@kapok/config';

const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The caller's number at rest: AES-256-GCM with the key CALLER_NUMBER_ENCRYPTION_KEY, a fresh 96-bit IV per value,
 * and the contact's id as additional authenticated data (a ciphertext copied onto another contact does not
 * decrypt). Stored as one bytea: format byte (1) ‖ IV (12) ‖ tag (16) ‖ ciphertext.
 */
@Injectable()
export class CallerNumberCipher {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    const key = decodeKey32(config.get('CALLER_NUMBER_ENCRYPTION_KEY'));
    if (!key) throw new Error('CALLER_NUMBER_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)');
    this.key = key;
  }

  /** Digits and a leading + only: how the number is dialled back. */
  static normalise(raw: string): string {
    return raw.replace(/[^0-9+]/g, '');
  }

  encrypt(contactId: string, number: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad(contactId));
    const body = Buffer.concat([cipher.update(CallerNumberCipher.normalise(number), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), body]);
  }

  /** Throws when the value was not made by this key for this contact (tampered, wrong key, other contact). */
  decrypt(contactId: string, value: Buffer): string {
    if (value.length < 1 + IV_BYTES + TAG_BYTES || value[0] !== FORMAT_V1) {
      throw new Error('unknown caller number format');
    }
    const iv = value.subarray(1, 1 + IV_BYTES);
    const tag = value.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(aad(contactId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(value.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  }
}

const aad = (contactId: string) => Buffer.from(`kapok:contact:${contactId.toLowerCase()}`, 'utf8');
