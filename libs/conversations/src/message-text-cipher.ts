import { Injectable } from '@nestjs/common';
import { AppConfig, decodeKey32 } from '@kapok/config';
import { SecretCipher } from '@kapok/contacts';

/**
 * Message text and transfer notes at rest, the way callers' numbers are kept (SecretCipher: AES-256-GCM), with a
 * key of their own derived from CALLER_NUMBER_ENCRYPTION_KEY (HKDF, purpose `message-text`) and the row's id as
 * additional authenticated data: a ciphertext copied onto another message does not decrypt.
 */
@Injectable()
export class MessageTextCipher {
  private readonly cipher: SecretCipher;

  constructor(config: AppConfig) {
    const key = decodeKey32(config.get('CALLER_NUMBER_ENCRYPTION_KEY'));
    if (!key) throw new Error('CALLER_NUMBER_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)');
    this.cipher = SecretCipher.derive(key, 'message-text');
  }

  encryptMessage(messageId: string, text: string): Buffer {
    return this.cipher.encrypt(`kapok:message:${messageId.toLowerCase()}`, text);
  }

  decryptMessage(messageId: string, value: Buffer): string {
    return this.cipher.decrypt(`kapok:message:${messageId.toLowerCase()}`, value);
  }

  encryptNote(transferId: string, note: string): Buffer {
    return this.cipher.encrypt(`kapok:transfer:${transferId.toLowerCase()}`, note);
  }

  decryptNote(transferId: string, value: Buffer): string {
    return this.cipher.decrypt(`kapok:transfer:${transferId.toLowerCase()}`, value);
  }
}
