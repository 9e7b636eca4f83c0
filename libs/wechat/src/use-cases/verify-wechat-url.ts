import { BadRequestException, Injectable } from '@nestjs/common';
import { WechatPushQuery, WechatPushVerifier } from '../wechat-push-verifier';

/**
 * URL verification (服务器配置 → 提交): WeChat sends `signature`, `timestamp`, `nonce` and `echostr`; the `echostr`
 * is answered back only when the signature is the account's. Anything else is refused.
 */
@Injectable()
export class VerifyWechatUrl {
  constructor(private readonly verifier: WechatPushVerifier) {}

  execute(appId: string, query: WechatPushQuery): string {
    this.verifier.verify(appId, query);
    const echo = query.echostr;
    if (typeof echo !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(echo)) {
      throw new BadRequestException('echostr: 缺少或格式不对');
    }
    return echo;
  }
}
