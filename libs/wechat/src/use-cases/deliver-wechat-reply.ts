import { Injectable, Logger } from '@nestjs/common';
import { WechatAccounts } from '../wechat-accounts';
import { WechatApi, WechatApiError } from '../wechat-api';
import { WechatConversations } from '../wechat-conversations.port';
import { WechatMetrics } from '../wechat-metrics';
import { WechatOpenIds } from '../wechat-openid';
import { WechatRepository } from '../wechat.repository';

/** Thrown to have the job tried again later (WeChat unreachable, busy, or the token refused twice). */
export class WechatTryAgain extends Error {}

/**
 * Sends one message to the WeChat user of its conversation (the outbound job's handler). Reloads everything by id
 * and checks the delivery is still `pending` (a second run of a sent one does nothing). WeChat's answer decides:
 * success → `sent`; a final refusal (e.g. 45015, past the 48-hour window; 40003, not a follower) → `failed`;
 * anything transient → tried again by the job, `failed` once the tries run out. Every outcome is counted
 * (kapok_wechat_outbound_total) and the delivery row keeps the state, attempts and WeChat's last errcode.
 */
@Injectable()
export class DeliverWechatReply {
  private readonly logger = new Logger(DeliverWechatReply.name);

  constructor(
    private readonly repository: WechatRepository,
    private readonly conversations: WechatConversations,
    private readonly accounts: WechatAccounts,
    private readonly openIds: WechatOpenIds,
    private readonly api: WechatApi,
    private readonly metrics: WechatMetrics,
  ) {}

  async execute(messageId: string, finalAttempt: boolean): Promise<void> {
    const delivery = await this.repository.delivery(messageId);
    if (!delivery || delivery.state !== 'pending') return;
    const link = await this.repository.linkById(delivery.link_id);
    const message = link && (await this.conversations.outgoing(link.conversation_id, messageId));
    const account = link && this.accounts.find(link.app_id);
    if (!link || !message || message.conversationId !== link.conversation_id || !account) {
      return this.giveUp(messageId, !account ? 'account no longer configured' : 'nothing to send');
    }
    let openId: string;
    try {
      openId = this.openIds.decrypt(link.id, link.openid_enc);
    } catch {
      return this.giveUp(messageId, 'OpenID does not decrypt (another CALLER_NUMBER_ENCRYPTION_KEY?)');
    }
    try {
      await this.api.sendText(account, openId, message.text);
    } catch (err) {
      if (!(err instanceof WechatApiError)) throw err;
      if (!err.transient) return this.giveUp(messageId, err.message);
      if (finalAttempt) return this.giveUp(messageId, `${err.message} (tries ran out)`);
      await this.repository.deliveryTransition(messageId, 'attemptFailed', err.message);
      this.metrics.outbound('retry');
      throw new WechatTryAgain(err.message);
    }
    if (await this.repository.deliveryTransition(messageId, 'delivered')) this.metrics.outbound('sent');
  }

  private async giveUp(messageId: string, reason: string): Promise<void> {
    if (await this.repository.deliveryTransition(messageId, 'gaveUp', reason)) {
      this.metrics.outbound('failed');
      this.logger.warn(`WeChat reply of message ${messageId} not delivered: ${reason}`);
    }
  }
}
