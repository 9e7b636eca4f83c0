import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A secret at rest (a caller's number, a message's text): AES-256-GCM, a fresh 96-bit IV per value, and additional
 * authenticated data naming what the value belongs to (a ciphertext copied onto another row does not decrypt).
 * Stored as one bytea: format byte (1) ‖ IV (12) ‖ tag (16) ‖ ciphertext. CallerNumberCipher and the conversations'
 * MessageTextCipher are this with their own key and AAD.
 */
export class SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretCipher needs a 32-byte key');
  }

  /**
   * A key of its own for one purpose, derived from a master key (HKDF-SHA256): one configured secret, separate keys
   * for separate kinds of data.
   */
  static derive(master: Buffer, purpose: string): SecretCipher {
    return new SecretCipher(Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `kapok:${purpose}`, 32)));
  }

  encrypt(aad: string, plaintext: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), body]);
  }

  /** Throws when the value was not made by this key for this AAD (tampered, wrong key, other row). */
  decrypt(aad: string, value: Buffer): string {
    if (value.length < 1 + IV_BYTES + TAG_BYTES || value[0] !== FORMAT_V1) throw new Error('unknown secret format');
    const iv = value.subarray(1, 1 + IV_BYTES);
    const tag = value.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(value.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  }
}
