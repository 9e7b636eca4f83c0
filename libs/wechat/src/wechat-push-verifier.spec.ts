import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import { AppConfig, validateConfig, generateSecrets } from '@kapok/config';
import { Clock } from '@kapok/common';
import { WechatAccounts } from './wechat-accounts';
import { PUSH_WINDOW_SECONDS, WechatPushVerifier } from './wechat-push-verifier';
import { wechatSignature } from './wechat-signature';

const account = {
  appId: 'wx0123456789abcdef',
  token: 'Zq8rT2mVx4LpN6bW',
  secret: '0123456789abcdef0123456789abcdef',
  hotlineNumber: '020-8100-0001',
};
const now = new Date('2026-03-01T08:00:00Z');
const clock = { now: () => now } as Clock;
const config = (accounts: object[]) =>
  new AppConfig(
    validateConfig({
      DATABASE_URL: 'postgres://localhost/k',
      REDIS_URL: 'redis://localhost:6379',
      ...generateSecrets(),
      WECHAT_ACCOUNTS: JSON.stringify(accounts),
    }),
  );

describe('WechatPushVerifier', () => {
  const verifier = new WechatPushVerifier(new WechatAccounts(config([account])), clock);
  const ts = (offset = 0) => String(Math.floor(now.getTime() / 1000) + offset);
  const signed = (timestamp: string, token = account.token) => ({
    timestamp,
    nonce: '1514711492',
    signature: wechatSignature(token, timestamp, '1514711492'),
  });

  it('accepts the account’s signature on a recent timestamp', () => {
    expect(verifier.verify(account.appId, signed(ts())).account.hotlineNumber).toBe('020-8100-0001');
    expect(verifier.verify(account.appId, signed(ts(-PUSH_WINDOW_SECONDS + 5))).nonce).toBe('1514711492');
  });

  it('refuses another token, an old or future timestamp, missing or odd parameters', () => {
    for (const q of [
      signed(ts(), 'AnotherToken1234'),
      signed(ts(-PUSH_WINDOW_SECONDS - 5)),
      signed(ts(PUSH_WINDOW_SECONDS + 5)),
      { ...signed(ts()), signature: undefined },
      { ...signed(ts()), nonce: ['1', '2'] },
      { ...signed(ts()), timestamp: 'abc' },
    ]) {
      expect(() => verifier.verify(account.appId, q)).toThrow(UnauthorizedException);
    }
  });

  it('knows no account when none is configured (the adapter is off)', () => {
    const off = new WechatPushVerifier(new WechatAccounts(config([])), clock);
    expect(() => off.verify(account.appId, signed(ts()))).toThrow(NotFoundException);
    expect(() => verifier.verify('wxffffffffffffffff', signed(ts()))).toThrow(NotFoundException);
  });
});
