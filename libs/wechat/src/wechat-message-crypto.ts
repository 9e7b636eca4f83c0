import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** PKCS#7 to a multiple of 32 bytes, as WeChat pads (not AES's own 16). */
const BLOCK = 32;
const RANDOM_BYTES = 16;

export class WechatCryptoError extends Error {}

/**
 * 安全模式 message encryption of one Official Account, per WeChat's documented scheme:
 * `AESKey = Base64_Decode(EncodingAESKey + "=")` (32 bytes), AES-256-CBC with the first 16 bytes of the key as IV,
 * no cipher padding but PKCS#7 to a multiple of 32, and the plaintext
 * `random(16) ‖ msg_len (4 bytes, network order) ‖ msg ‖ AppID`, Base64 encoded.
 */
export class WechatMessageCrypto {
  private readonly key: Buffer;

  constructor(
    encodingAesKey: string,
    private readonly appId: string,
  ) {
    this.key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (this.key.length !== 32) throw new Error('EncodingAESKey must decode to 32 bytes');
  }

  /** The Base64 `Encrypt` of a message (what WeChat sends, and what an encrypted passive reply carries). */
  encrypt(message: string, random: Buffer = randomBytes(RANDOM_BYTES)): string {
    const msg = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(msg.length);
    const plain = Buffer.concat([random, length, msg, Buffer.from(this.appId, 'utf8')]);
    const pad = BLOCK - (plain.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16)).setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
      'base64',
    );
  }

  /**
   * The message inside an `Encrypt`. Throws WechatCryptoError when it is not Base64 of whole blocks, its padding or
   * length is wrong, or it was made for another AppID.
   */
  decrypt(encrypted: string): string {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) throw new WechatCryptoError('Encrypt is not Base64');
    const data = Buffer.from(encrypted, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) throw new WechatCryptoError('Encrypt is not whole AES blocks');
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16)).setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch {
      throw new WechatCryptoError('Encrypt does not decrypt');
    }
    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > BLOCK || pad > plain.length || !plain.subarray(plain.length - pad).every((b) => b === pad)) {
      throw new WechatCryptoError('bad padding');
    }
    const content = plain.subarray(0, plain.length - pad);
    if (content.length < RANDOM_BYTES + 4) throw new WechatCryptoError('too short');
    const length = content.readUInt32BE(RANDOM_BYTES);
    const start = RANDOM_BYTES + 4;
    if (start + length > content.length) throw new WechatCryptoError('bad length');
    const appId = content.subarray(start + length).toString('utf8');
    if (appId !== this.appId) throw new WechatCryptoError('made for another AppID');
    return content.subarray(start, start + length).toString('utf8');
  }
}
