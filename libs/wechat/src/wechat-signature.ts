import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's signature of a push (消息接入): SHA-1, in hex, of its parts sorted in dictionary order and joined —
 * `signature = sha1(sort(token, timestamp, nonce))` on every push, and in 安全模式 also
 * `msg_signature = sha1(sort(token, timestamp, nonce, Encrypt))` over the encrypted body.
 */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** True when `given` is the signature of `parts`, compared in constant time (a wrong length is simply false). */
export function signatureMatches(given: unknown, ...parts: string[]): boolean {
  if (typeof given !== 'string' || !/^[0-9a-fA-F]{40}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(given.toLowerCase(), 'latin1'), Buffer.from(wechatSignature(...parts), 'latin1'));
}
