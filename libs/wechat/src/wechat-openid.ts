import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { AppConfig, decodeKey32 } from '@kapok/config';
import { SecretCipher } from '@kapok/contacts';

/**
 * A WeChat user's OpenID is a secret like a caller's number: it is kept only as a keyed hash (HMAC-SHA256 with
 * CALLER_NUMBER_KEY, to find the user's conversation again) and encrypted (AES-256-GCM with a key derived from
 * CALLER_NUMBER_ENCRYPTION_KEY, the link's id as AAD, to send replies). Never logged.
 */
@Injectable()
export class WechatOpenIds {
  private readonly cipher: SecretCipher;
  private readonly hashKey: string;

  constructor(config: AppConfig) {
    const key = decodeKey32(config.get('CALLER_NUMBER_ENCRYPTION_KEY'));
    if (!key) throw new Error('CALLER_NUMBER_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)');
    this.cipher = SecretCipher.derive(key, 'wechat-openid');
    this.hashKey = config.get('CALLER_NUMBER_KEY');
  }

  hash(appId: string, openId: string): string {
    return createHmac('sha256', this.hashKey).update(`wechat:${appId}:${openId}`).digest('hex');
  }

  encrypt(linkId: string, openId: string): Buffer {
    return this.cipher.encrypt(aad(linkId), openId);
  }

  decrypt(linkId: string, value: Buffer): string {
    return this.cipher.decrypt(aad(linkId), value);
  }
}

const aad = (linkId: string) => `kapok:wechat_link:${linkId.toLowerCase()}`;
