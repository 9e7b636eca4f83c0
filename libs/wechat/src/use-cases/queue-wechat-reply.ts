import { Injectable } from '@nestjs/common';
import { WechatConversations } from '../wechat-conversations.port';
import { WechatOutboundQueue } from '../wechat-outbound-queue';
import { WechatRepository } from '../wechat.repository';

/**
 * A message was added to a conversation (called once it is committed): when the conversation is a WeChat one and the
 * message is for the person (the operator's reply, a closing note; not a whisper, not this adapter's own notes), its
 * delivery is written `pending` and a job queued. Should the job not be added (Redis down, a crash in between), the
 * sweep of WechatOutboundQueue adopts or re-queues it.
 */
@Injectable()
export class QueueWechatReply {
  constructor(
    private readonly repository: WechatRepository,
    private readonly conversations: WechatConversations,
    private readonly queue: WechatOutboundQueue,
  ) {}

  /** False when there is nothing to send (not a WeChat conversation, not a message for the person). */
  async execute(conversationId: string, messageId: string): Promise<boolean> {
    const link = await this.repository.linkOfConversation(conversationId);
    if (!link || !(await this.conversations.outgoing(conversationId, messageId))) return false;
    await this.repository.addDelivery(messageId, link.id);
    await this.queue.add(messageId).catch(() => undefined); // not added: the sweep queues it later
    return true;
  }
}
