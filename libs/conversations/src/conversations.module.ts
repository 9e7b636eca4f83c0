import { Module } from '@nestjs/common';
import { AuthModule } from '@kapok/auth';
import { ContactsModule } from '@kapok/contacts';
import { OrgModule } from '@kapok/org';
import { RecordsModule } from '@kapok/records';
import { ConversationDelivery } from './conversation-delivery';
import { ConversationLog } from './conversation-log';
import { ConversationOfferDetails } from './conversation-offer-details';
import { ConversationRepository } from './conversation.repository';
import { ConversationViews } from './conversation.views';
import { MessageRepository } from './message.repository';
import { MessageTextCipher } from './message-text-cipher';
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
import { SuperviseConversation } from './use-cases/supervise-conversation';
import { TransferContact } from './use-cases/transfer-contact';

/** The writers of conversations, messages and contact_transfers: nothing else writes these tables. */
const repositories = [ConversationRepository, MessageRepository, TransferRepository];
const services = [
  MessageTextCipher,
  ConversationViews,
  ConversationLog,
  ConversationDelivery,
  ConversationOfferDetails,
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
];

/**
 * Conversations of text contacts (docs/conversations.md): messages stored encrypted before they are acknowledged,
 * numbered per conversation, delivered through Redis to the caller (`/chat`), the operator (`/agent`) and watching
 * supervisors (`/monitor`); transfers of any contact; inactivity and retention. Depends on contacts (intake, the
 * contact's transitions), records (access policy, audit log) and org; nothing depends on it but the apps.
 */
@Module({
  imports: [AuthModule, ContactsModule, RecordsModule, OrgModule],
  providers: [...repositories, ...services, ...useCases],
  // (ContactsModule re-exported: an adapter of a text channel, e.g. WeChat, takes intake through it too)
  exports: [...repositories, ConversationViews, ConversationLog, ConversationDelivery, ...useCases, ContactsModule],
})
export class ConversationsModule {}
