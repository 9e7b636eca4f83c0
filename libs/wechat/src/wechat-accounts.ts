import { Injectable } from '@nestjs/common';
import { AppConfig, WechatAccountConfig } from '@kapok/config';
import { WechatMessageCrypto } from './wechat-message-crypto';

/** A configured Official Account, with its message crypto when it uses 安全模式. */
export interface WechatAccount extends WechatAccountConfig {
  crypto: WechatMessageCrypto | null;
}

/** The Official Accounts of WECHAT_ACCOUNTS (docs/wechat.md). None configured: the adapter is off. */
@Injectable()
export class WechatAccounts {
  private readonly byAppId: ReadonlyMap<string, WechatAccount>;

  constructor(config: AppConfig) {
    this.byAppId = new Map(
      config
        .get('WECHAT_ACCOUNTS')
        .map((a) => [
          a.appId,
          { ...a, crypto: a.encodingAesKey ? new WechatMessageCrypto(a.encodingAesKey, a.appId) : null },
        ]),
    );
  }

  get enabled(): boolean {
    return this.byAppId.size > 0;
  }

  find(appId: string): WechatAccount | undefined {
    return this.byAppId.get(appId);
  }
}
