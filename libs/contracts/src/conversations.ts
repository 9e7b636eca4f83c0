import type { AckError, AckOf } from './socket';

/**
 * Conversations of text contacts (`chat`, `wechat`): the caller's socket `/chat`, the messages the operator's
 * `/agent` socket and a watching supervisor's `/monitor` socket carry, the transfer route and the transcript.
 * Reference: docs/conversations.md; contract: ../shared/contract.md "Conversations (text contacts)".
 */
export const CHAT_NAMESPACE = '/chat';

/** The longest message text accepted (characters); longer is refused (`text_too_long: …`), nothing stored. */
export const MESSAGE_MAX_CHARS = 2000;
/** The longest transfer note accepted (characters). */
export const TRANSFER_NOTE_MAX_CHARS = 1000;

/**
 * 常用语 (quick replies) of a station (`GET`/`PUT /api/stations/:stationId/quick-replies`): the phrases its operators
 * pick from in a text conversation. A station that has set none uses DEFAULT_QUICK_REPLIES (`custom: false`).
 */
export interface StationQuickReplies {
  stationId: string;
  phrases: string[];
  custom: boolean;
  updatedAt: string | null;
  updatedBy: { id: string; name: string } | null;
}
export const QUICK_REPLIES_MAX = 50;
export const QUICK_REPLY_MAX_CHARS = 300;
export const DEFAULT_QUICK_REPLIES: readonly string[] = [
  '您好，我是红棉守护热线的社工，很高兴您愿意来倾诉。请问有什么可以帮到您？',
  '我在认真听，您慢慢说，不着急。',
  '听起来这段时间您真的很不容易。',
  '您现在是否安全？身边有没有可以信任的人陪着您？',
  '如果您正处在危险中，请立即拨打 110 或 120。',
  '我需要一点时间查询相关信息，请稍等。',
  '谢谢您的信任。如果之后还需要帮助，欢迎随时再来。',
];

/** Who wrote a message. A `whisper` (supervisor → operator) never reaches the caller. */
export const MESSAGE_SENDERS = ['caller', 'operator', 'system', 'whisper'] as const;
export type MessageSender = (typeof MESSAGE_SENDERS)[number];
/** What the caller sees: never a whisper. */
export type CallerVisibleSender = Exclude<MessageSender, 'whisper'>;

/** Why a conversation ended (`conversation:ended`). */
export const CONVERSATION_END_REASONS = ['caller_ended', 'operator_ended', 'idle', 'abandoned', 'completed'] as const;
export type ConversationEndReason = (typeof CONVERSATION_END_REASONS)[number];

export type ConversationState = 'open' | 'ended';

// ------------------------------------------------------------------------------------------ HTTP

/** `POST /api/chat/sessions` (no sign-in; rate-limited). */
export interface ChatSessionBody {
  hotlineNumber: string;
  language?: string;
  topics?: string[];
}

/** `POST /api/chat/sessions` → 201. Keep `resumeToken` (the browser's storage): it is the only key back in. */
export interface ChatSessionCreated {
  conversationId: string;
  contactId: string;
  resumeToken: string;
}

/** Where a transfer goes: an operator, a unit's pool (station, district …), or the supervisors of the station. */
export type TransferTarget = { userId: string } | { orgUnitId: string } | { supervisor: true };

/** `POST /api/contacts/:id/transfer` (the assigned operator) → 200 with the contact (ContactView), `queued`. */
export interface TransferContactBody {
  to: TransferTarget;
  note?: string;
}

/** A transfer as the receiving side sees it (the offer's `transfer`, the transcript). */
export interface TransferView {
  fromUserId: string;
  to: TransferTarget;
  note: string | null;
  at: string;
}

/** `GET /api/records/:contactId/transcript` (record access policy; audited unless read by its own operator). */
export interface TranscriptView {
  contactId: string;
  conversationId: string;
  /** Set once the retention period passed: the text of every message is gone, the record is kept. */
  purgedAt: string | null;
  messages: ConversationMessage[];
  transfers: TransferView[];
}

/** The record's link to its transcript (additive field of the record view). */
export interface TranscriptLink {
  conversationId: string;
  messageCount: number;
  purgedAt: string | null;
}

// ------------------------------------------------------------------------------------------ messages

/** A message as the caller sees it (`/chat` `message`, `history:get`). `text` is '' once purged. */
export interface ChatMessage {
  id: string;
  seq: number;
  from: CallerVisibleSender;
  text: string;
  at: string;
}

/** A message as the operator and a watching supervisor see it (whispers included). */
export interface ConversationMessage {
  id: string;
  seq: number;
  from: MessageSender;
  text: string;
  at: string;
  /** The user who wrote it (operator, supervisor); null for the caller and the system. */
  senderId?: string | null;
}

/** `/agent` and `/monitor` `message`: a message of a contact's conversation. */
export interface AgentMessageEvent extends ConversationMessage {
  contactId: string;
}

/** The first message of a chat, shown by its offer (`contact:offer` → `contact.firstMessage`). */
export interface FirstMessageView {
  text: string;
  at: string;
}

/** `queue:position`: how many wait ahead of the caller (sent on connect and whenever the line moves). */
export interface QueuePositionEvent {
  ahead: number;
  estimatedWaitSeconds?: number;
}

/**
 * `conversation:state` (caller): where the conversation is — `waiting` in the queue (with `queue:position`),
 * `talking` once a social worker accepted it (again after a transfer), `ended`. Sent on every (re)connect and
 * whenever it changes.
 */
export interface ConversationStateEvent {
  status: 'waiting' | 'talking' | 'ended';
}

export interface ConversationEndedEvent {
  reason: ConversationEndReason;
}

/** `/agent` `conversation:ended`: one of the operator's conversations ended. */
export interface AgentConversationEndedEvent extends ConversationEndedEvent {
  contactId: string;
}

/** `typing`: the other side is typing (true) or stopped (false). At most once; expires by itself after 5 s. */
export interface TypingEvent {
  from: 'caller' | 'operator';
  typing: boolean;
}
export interface AgentTypingEvent extends TypingEvent {
  contactId: string;
}

/**
 * `message:state`: the delivered/read marks of one side: every message with `seq` ≤ `deliveredSeq` reached `by`,
 * ≤ `readSeq` was read by them.
 */
export interface MessageStateEvent {
  by: 'caller' | 'operator';
  deliveredSeq: number;
  readSeq: number;
}
export interface AgentMessageStateEvent extends MessageStateEvent {
  contactId: string;
}

// ------------------------------------------------------------------------------------------ `/chat` (caller)

export interface ChatAuth {
  resumeToken: string;
}

export interface MessageSendPayload {
  /** The client's own id of the message (≤ 64 characters): a resend with the same id is not duplicated. */
  clientId: string;
  text: string;
}
/** Errors: `invalid_payload: …`, `text_too_long: …`, `conversation_ended`, `rate_limited: …`, `internal_error`. */
export type MessageSendAck = { ok: true; id: string; seq: number } | AckError;

export interface ChatHistoryPayload {
  afterSeq?: number;
}
export type ChatHistoryAck = { ok: true; messages: ChatMessage[] } | AckError;

/** `message:read` / `message:delivered`: everything up to `seq` reached / was read by this side. */
export interface MessageMarkPayload {
  seq: number;
}
export type MessageMarkAck = { ok: true } | AckError;

export interface TypingPayload {
  typing: boolean;
}
export type SimpleAck = { ok: true } | AckError;

export interface ChatServerToClientEvents {
  message: (e: ChatMessage) => void;
  'queue:position': (e: QueuePositionEvent) => void;
  'conversation:state': (e: ConversationStateEvent) => void;
  'conversation:ended': (e: ConversationEndedEvent) => void;
  typing: (e: TypingEvent) => void;
  'message:state': (e: MessageStateEvent) => void;
}

export interface ChatClientToServerEvents {
  'message:send': (payload: MessageSendPayload, ack: (res: MessageSendAck) => void) => void;
  'history:get': (payload: ChatHistoryPayload, ack: (res: ChatHistoryAck) => void) => void;
  'message:delivered': (payload: MessageMarkPayload, ack: (res: MessageMarkAck) => void) => void;
  'message:read': (payload: MessageMarkPayload, ack: (res: MessageMarkAck) => void) => void;
  typing: (payload: TypingPayload, ack: (res: SimpleAck) => void) => void;
  /** The person ends the conversation (the operator then records the outcome; or, still queued, it is abandoned). */
  'conversation:end': (payload: Record<string, never>, ack: (res: SimpleAck) => void) => void;
}

export type ChatAck<E extends keyof ChatClientToServerEvents> = AckOf<ChatClientToServerEvents[E]>;

// ------------------------------------------------------------------------------------------ `/agent` (operator)

export interface AgentMessageSendPayload extends MessageSendPayload {
  contactId: string;
}
export interface AgentHistoryPayload {
  contactId: string;
  afterSeq?: number;
}
export type AgentHistoryAck = { ok: true; messages: ConversationMessage[] } | AckError;
export interface AgentMessageMarkPayload extends MessageMarkPayload {
  contactId: string;
}
export interface AgentTypingPayload extends TypingPayload {
  contactId: string;
}

/** Server → operator conversation events (through Redis, room `agent:<userId>`). */
export interface AgentConversationEvents {
  message: (e: AgentMessageEvent) => void;
  typing: (e: AgentTypingEvent) => void;
  'message:state': (e: AgentMessageStateEvent) => void;
  'conversation:ended': (e: AgentConversationEndedEvent) => void;
}

export interface AgentConversationClientEvents {
  'message:send': (payload: AgentMessageSendPayload, ack: (res: MessageSendAck) => void) => void;
  'history:get': (payload: AgentHistoryPayload, ack: (res: AgentHistoryAck) => void) => void;
  'message:delivered': (payload: AgentMessageMarkPayload, ack: (res: MessageMarkAck) => void) => void;
  'message:read': (payload: AgentMessageMarkPayload, ack: (res: MessageMarkAck) => void) => void;
  typing: (payload: AgentTypingPayload, ack: (res: SimpleAck) => void) => void;
}

// ------------------------------------------------------------------------------------------ `/monitor` (supervisor)

export interface WatchPayload {
  contactId: string;
}
/** Watching starts: the whole conversation so far; then every `message` of it (whispers included). */
export type WatchAck = { ok: true; messages: ConversationMessage[] } | AckError;
export interface WhisperPayload {
  contactId: string;
  clientId: string;
  text: string;
}

/** Server → watching supervisor (room `watch:<contactId>` on `/monitor`). */
export interface MonitorConversationEvents {
  message: (e: AgentMessageEvent) => void;
  'conversation:ended': (e: AgentConversationEndedEvent) => void;
}

export interface MonitorConversationClientEvents {
  'conversation:watch': (payload: WatchPayload, ack: (res: WatchAck) => void) => void;
  'conversation:unwatch': (payload: WatchPayload, ack: (res: SimpleAck) => void) => void;
  'conversation:whisper': (payload: WhisperPayload, ack: (res: MessageSendAck) => void) => void;
}
