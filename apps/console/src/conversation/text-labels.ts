/**
 * Wording of text contacts (chat, wechat) in the operator's console: 会话/消息/结束会话 where a phone contact says
 * 来电/通话/结束通话. Typed by the contract's codes like labels.ts, whose vocabulary it follows.
 */
import type { Channel, ContactStatus, ConversationEndReason, MessageSender } from '@kapok/contracts';

/** Channels whose contacts are conversations of messages. */
export const TEXT_CHANNELS: readonly Channel[] = ['chat', 'wechat'];
export const isTextChannel = (channel: Channel): boolean => TEXT_CHANNELS.includes(channel);

export const TEXT_CONTACT_STATUS_LABELS: Record<ContactStatus, string> = {
  queued: '排队中',
  offered: '待接入',
  active: '会话中',
  wrap_up: '整理记录',
  completed: '已完成',
  abandoned: '来访者已离开',
};

export const MESSAGE_SENDER_LABELS: Record<MessageSender, string> = {
  caller: '来访者',
  operator: '社工',
  system: '系统',
  whisper: '督导悄悄话',
};

export const CONVERSATION_END_LABELS: Record<ConversationEndReason, string> = {
  caller_ended: '来访者已结束会话',
  operator_ended: '会话已结束',
  idle: '会话长时间无新消息，已自动结束',
  abandoned: '来访者在排队时离开',
  completed: '会话已结束',
};

/** The errors of `message:send` (free text on the wire; unknown ones show as they are). */
export const SEND_ERROR_LABELS: Record<string, string> = {
  conversation_ended: '会话已结束，消息未发出',
  not_assigned: '该会话已不由您处理，消息未发出',
  contact_not_found: '该会话已不存在',
  internal_error: '系统异常，消息未发出，请重试',
};

/** `rate_limited: …` → its label, other codes by their prefix before `:`. */
export const sendErrorLabel = (error: string): string => {
  const code = error.split(':')[0].trim();
  if (code === 'rate_limited') return '发送太快，请稍后再试';
  if (code === 'text_too_long') return '消息太长，请分几条发送';
  return SEND_ERROR_LABELS[code] ?? `消息未发出：${error}`;
};
