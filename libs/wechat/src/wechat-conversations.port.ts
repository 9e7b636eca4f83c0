/** Client ids of the messages this adapter adds for a push (`wx:<MsgId>`): the person's, and its notes. */
export const WECHAT_CLIENT_ID_PREFIX = 'wx:';

/**
 * What the WeChat adapter needs of the conversations (libs/conversations), as a port: the adapter's use-cases speak
 * to this, and ConversationsBridge (conversations-bridge.ts) maps it onto the conversations' own use-cases. The
 * adapter never writes the conversations' tables itself.
 */
export abstract class WechatConversations {
  /**
   * Opens a queued `wechat` contact and its conversation on the line. The same `externalId` again (a crash before
   * the link was written, then WeChat's redelivery) answers the same contact and conversation.
   */
  abstract open(input: {
    hotlineNumber: string;
    externalId: string;
  }): Promise<{ contactId: string; conversationId: string }>;

  /** Whether the conversation still takes messages. */
  abstract isOpen(conversationId: string): Promise<boolean>;

  /** Adds the person's message (a resend with the same clientId is not duplicated); `ended` when it no longer takes any. */
  abstract callerMessage(conversationId: string, clientId: string, text: string): Promise<'stored' | 'ended'>;

  /** Adds a note of the system to the conversation (seen by the operator; not sent back to WeChat). */
  abstract systemNote(conversationId: string, clientId: string, text: string): Promise<void>;

  /**
   * A message to send to the person: its conversation and text, or null when it is not one (a whisper, a note of
   * this adapter, a purged text, an unknown id).
   */
  abstract outgoing(
    conversationId: string,
    messageId: string,
  ): Promise<{ conversationId: string; text: string } | null>;
}
