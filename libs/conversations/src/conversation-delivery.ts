import { Injectable } from '@nestjs/common';
import type { ConversationEndReason, ConversationMessage } from '@kapok/contracts';
import { AgentNotifier, ChatNotifier, MonitorNotifier } from '@kapok/realtime';
import { ConversationOutboundPort } from './conversation-outbound';
import { ConversationViews } from './conversation.views';
import { ConversationWithContact } from './conversation.repository';

/** The contact statuses in which its operator has the conversation open (accepted, not completed). */
const HELD = new Set(['active', 'wrap_up']);

/**
 * Who is told about a conversation, through Redis from any process (libs/realtime): the caller (`/chat`, never a
 * whisper), the operator holding the contact (`/agent`), and the supervisors watching it (`/monitor`). At most once:
 * every message is also in the history (`history:get`), which a client reads on (re)connect.
 */
@Injectable()
export class ConversationDelivery {
  constructor(
    private readonly chat: ChatNotifier,
    private readonly agents: AgentNotifier,
    private readonly monitors: MonitorNotifier,
    private readonly views: ConversationViews,
    private readonly outbound: ConversationOutboundPort,
  ) {}

  message(c: ConversationWithContact, m: ConversationMessage): void {
    if (m.from !== 'whisper') this.chat.toCaller(c.id, 'message', this.views.forCaller(m));
    const operator = this.operatorOf(c);
    if (operator) this.agents.conversation(operator, 'message', { contactId: c.contact_id, ...m });
    this.monitors.toWatchers(c.contact_id, 'message', { contactId: c.contact_id, ...m });
    // the caller of a channel outside Kapok (WeChat) reads what the operator or Kapok said there
    if (m.from === 'operator' || m.from === 'system') this.outbound.notify(c.channel, c.id, m.id);
  }

  ended(c: ConversationWithContact, reason: ConversationEndReason, operatorId = this.operatorOf(c)): void {
    this.chat.toCaller(c.id, 'conversation:ended', { reason });
    if (operatorId) this.agents.conversation(operatorId, 'conversation:ended', { contactId: c.contact_id, reason });
    this.monitors.toWatchers(c.contact_id, 'conversation:ended', { contactId: c.contact_id, reason });
  }

  typing(c: ConversationWithContact, from: 'caller' | 'operator', typing: boolean): void {
    if (from === 'operator') return this.chat.toCaller(c.id, 'typing', { from, typing });
    const op = this.operatorOf(c);
    if (op) this.agents.conversation(op, 'typing', { contactId: c.contact_id, from, typing });
  }

  /** One side's delivered/read marks, to the other side. */
  marks(c: ConversationWithContact, by: 'caller' | 'operator', deliveredSeq: number, readSeq: number): void {
    if (by === 'operator') return this.chat.toCaller(c.id, 'message:state', { by, deliveredSeq, readSeq });
    const op = this.operatorOf(c);
    if (op) this.agents.conversation(op, 'message:state', { contactId: c.contact_id, by, deliveredSeq, readSeq });
  }

  private operatorOf(c: ConversationWithContact): string | null {
    return c.assigned_worker_id && HELD.has(c.contact_status) ? c.assigned_worker_id : null;
  }
}
