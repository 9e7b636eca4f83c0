import { Module } from '@nestjs/common';
import { AuthModule } from '@kapok/auth';
import { ContactsModule } from '@kapok/contacts';
import { OrgModule } from '@kapok/org';
import { PresenceModule } from '@kapok/presence';
import { RecordsModule } from '@kapok/records';
import { ConversationDelivery } from './conversation-delivery';
import { ConversationLog } from './conversation-log';
import { ConversationOutboundPort } from './conversation-outbound';
import { ConversationOfferDetails } from './conversation-offer-details';
import { ConversationRepository } from './conversation.repository';
import { ConversationViews } from './conversation.views';
import { MessageRepository } from './message.repository';
import { MessageTextCipher } from './message-text-cipher';
import { QuickReplyRepository } from './quick-reply.repository';
import { TransferRepository } from './transfer.repository';
import {
  EndChat,
  GetCallerHistory,
  MarkMessages,
  CallerStates,
  ResumeChat,
  SendCallerMessage,
  SignalTyping,
} from './use-cases/caller-conversation';
import { CloseIdleConversations, EndGoneConversation, PurgeExpiredTranscripts } from './use-cases/conversation-sweep';
import {
  GetOperatorHistory,
  OperatorConversations,
  OperatorMarksAndTyping,
  SendOperatorMessage,
} from './use-cases/operator-conversation';
import { ReadTranscript, TranscriptLinkOf } from './use-cases/read-transcript';
import { StartChatSession } from './use-cases/start-chat-session';
import { StationQuickRepliesUseCase } from './use-cases/station-quick-replies';
import { SuperviseConversation } from './use-cases/supervise-conversation';
import { TransferContact } from './use-cases/transfer-contact';

/** The writers of conversations, messages, contact_transfers and station_quick_replies: nothing else writes them. */
const repositories = [ConversationRepository, MessageRepository, TransferRepository, QuickReplyRepository];
const services = [
  MessageTextCipher,
  ConversationViews,
  ConversationLog,
  ConversationDelivery,
  ConversationOfferDetails,
  ConversationOutboundPort,
];
const useCases = [
  StartChatSession,
  ResumeChat,
  SendCallerMessage,
  GetCallerHistory,
  CallerStates,
  EndChat,
  MarkMessages,
  SignalTyping,
  OperatorConversations,
  SendOperatorMessage,
  GetOperatorHistory,
  OperatorMarksAndTyping,
  SuperviseConversation,
  TransferContact,
  CloseIdleConversations,
  EndGoneConversation,
  PurgeExpiredTranscripts,
  ReadTranscript,
  TranscriptLinkOf,
  StationQuickRepliesUseCase,
];

/**
 * Conversations of text contacts (docs/conversations.md): messages stored encrypted before they are acknowledged,
 * numbered per conversation, delivered through Redis to the caller (`/chat`), the operator (`/agent`) and watching
 * supervisors (`/monitor`); transfers of any contact; inactivity and retention. Depends on contacts (intake, the
 * contact's transitions), records (access policy, audit log) and org; nothing depends on it but the apps.
 */
@Module({
  imports: [AuthModule, ContactsModule, RecordsModule, OrgModule, PresenceModule],
  providers: [...repositories, ...services, ...useCases],
  // (ContactsModule re-exported: an adapter of a text channel, e.g. WeChat, takes intake through it too)
  exports: [
    ...repositories,
    ConversationViews,
    ConversationLog,
    ConversationDelivery,
    ConversationOutboundPort,
    ...useCases,
    ContactsModule,
  ],
})
export class ConversationsModule {}
