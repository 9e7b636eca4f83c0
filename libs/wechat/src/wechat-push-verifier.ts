import { Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { WechatAccount, WechatAccounts } from './wechat-accounts';
import { signatureMatches } from './wechat-signature';

/** The query string WeChat puts on every push to the webhook (消息接入). */
export interface WechatPushQuery {
  signature?: unknown;
  timestamp?: unknown;
  nonce?: unknown;
  echostr?: unknown;
  msg_signature?: unknown;
  encrypt_type?: unknown;
}

/** A push signed longer ago (or ahead) than this is refused: a signed URL cannot be replayed later. */
export const PUSH_WINDOW_SECONDS = 300;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 128 ? v : undefined);

/**
 * Who may push to `/api/wechat/:appId`: WeChat, proven by `signature = sha1(sort(token, timestamp, nonce))` with the
 * account's token, on a timestamp within PUSH_WINDOW_SECONDS. An unknown or unconfigured account is 404 (the
 * adapter is off unless configured); a bad signature is 401 with nothing else said.
 */
@Injectable()
export class WechatPushVerifier {
  constructor(
    private readonly accounts: WechatAccounts,
    private readonly clock: Clock,
  ) {}

  account(appId: string): WechatAccount {
    const account = this.accounts.find(appId);
    if (!account) throw new NotFoundException('未配置此公众号（WECHAT_ACCOUNTS）');
    return account;
  }

  /** The account, when the push's `signature` is valid and recent; else 401. */
  verify(appId: string, query: WechatPushQuery): { account: WechatAccount; timestamp: string; nonce: string } {
    const account = this.account(appId);
    const timestamp = str(query.timestamp);
    const nonce = str(query.nonce);
    if (!timestamp || !nonce || !/^\d{1,12}$/.test(timestamp)) throw invalid();
    if (!signatureMatches(query.signature, account.token, timestamp, nonce)) throw invalid();
    const skew = Math.abs(this.clock.now().getTime() / 1000 - Number(timestamp));
    if (skew > PUSH_WINDOW_SECONDS) throw invalid();
    return { account, timestamp, nonce };
  }
}

export const invalid = () => new UnauthorizedException('signature: 签名无效');
