import { Module, OnModuleInit } from '@nestjs/common';
import { CommonModule } from '@kapok/common';
import { ConversationOutboundPort, ConversationsModule } from '@kapok/conversations';
import { MetricsModule } from '@kapok/metrics';
import { ConversationsBridge } from './conversations-bridge';
import { DeliverWechatReply } from './use-cases/deliver-wechat-reply';
import { ReceiveWechatPush } from './use-cases/receive-wechat-push';
import { VerifyWechatUrl } from './use-cases/verify-wechat-url';
import { WechatAccounts } from './wechat-accounts';
import { WechatApi } from './wechat-api';
import { WechatConversations } from './wechat-conversations.port';
import { WechatMetrics } from './wechat-metrics';
import { WechatOpenIds } from './wechat-openid';
import { WechatOutboundQueue } from './wechat-outbound-queue';
import { WechatPushVerifier } from './wechat-push-verifier';
import { WechatRepository } from './wechat.repository';

const useCases = [VerifyWechatUrl, ReceiveWechatPush, DeliverWechatReply];

/**
 * The WeChat Official Account adapter (docs/wechat.md): the webhook's use-cases, the outbound queue and its worker,
 * WeChat's API. Off (404, no queue, no worker) unless WECHAT_ACCOUNTS names an account. Depends on the conversations
 * (through ConversationsBridge); the conversations know it only as the sender of the `wechat` channel.
 */
@Module({
  imports: [CommonModule, MetricsModule, ConversationsModule],
  providers: [
    WechatAccounts,
    WechatApi,
    WechatMetrics,
    WechatOpenIds,
    WechatOutboundQueue,
    WechatPushVerifier,
    WechatRepository,
    { provide: WechatConversations, useClass: ConversationsBridge },
    ...useCases,
  ],
  exports: [...useCases, WechatAccounts],
})
export class WechatModule implements OnModuleInit {
  constructor(
    private readonly queue: WechatOutboundQueue,
    private readonly deliver: DeliverWechatReply,
    private readonly repository: WechatRepository,
    private readonly accounts: WechatAccounts,
    private readonly outbound: ConversationOutboundPort,
  ) {}

  onModuleInit(): void {
    // An operator's reply goes out the moment it is stored (the outbox sweep below finds whatever this missed).
    if (this.accounts.enabled) {
      this.outbound.register('wechat', {
        stored: async (_conversationId, messageId) => {
          for (const id of await this.repository.adoptUndelivered(1, messageId)) await this.queue.add(id);
        },
      });
    }
    this.queue.handle(
      (messageId, final) => this.deliver.execute(messageId, final),
      async () => [
        ...(await this.repository.adoptUndelivered()),
        ...(await this.repository.stalePending(WechatOutboundQueue.sweepAfterSeconds)),
      ],
    );
  }
}
