import { ConflictException, Injectable } from '@nestjs/common';
import type {
  ChatAck,
  ChatMessage,
  ConversationEndReason,
  ConversationStateEvent,
  QueuePositionEvent,
} from '@kapok/contracts';
import { AbandonContact, EndContact } from '@kapok/contacts';
import { ConversationDelivery } from '../conversation-delivery';
import { ConversationLog } from '../conversation-log';
import { ConversationRepository, ConversationWithContact } from '../conversation.repository';
import { ConversationViews, checkMessage, checkSeq } from '../conversation.views';
import { MessageRepository } from '../message.repository';
import { EndGoneConversation } from './conversation-sweep';
import { digestResumeToken } from './start-chat-session';

/** Where the caller's conversation is, as `conversation:state` says it. */
export function callerState(c: { state: string; contact_status: string }): ConversationStateEvent['status'] {
  if (c.state === 'ended') return 'ended';
  return c.contact_status === 'queued' || c.contact_status === 'offered' ? 'waiting' : 'talking';
}

/**
 * The caller's side of a conversation (`/chat`): who they are (their resume token), their messages, their history,
 * their marks, their typing, their end. Each method is one use-case the socket gateway maps an event to.
 */
@Injectable()
export class ResumeChat {
  constructor(private readonly conversations: ConversationRepository) {}

  /** The conversation of this resume token, or undefined (unknown token: the socket is refused). */
  async execute(token: unknown): Promise<ConversationWithContact | undefined> {
    if (typeof token !== 'string' || token.length < 20 || token.length > 200) return undefined;
    return this.conversations.findByTokenHash(digestResumeToken(token));
  }
}

@Injectable()
export class SendCallerMessage {
  constructor(
    private readonly log: ConversationLog,
    private readonly delivery: ConversationDelivery,
  ) {}

  /** Stored (committed) before the ack; a resend with the same clientId answers the first message's id and seq. */
  async execute(conversationId: string, payload: unknown): Promise<ChatAck<'message:send'>> {
    const checked = checkMessage(payload);
    if ('error' in checked) return { ok: false, error: checked.error };
    const appended = await this.log.append(conversationId, {
      sender: 'caller',
      userId: null,
      clientId: checked.clientId,
      text: checked.text,
    });
    if (!appended) return { ok: false, error: 'conversation_ended: 对话已结束' };
    if (appended.created) this.delivery.message(appended.conversation, appended.message);
    return { ok: true, id: appended.message.id, seq: appended.message.seq };
  }
}

@Injectable()
export class GetCallerHistory {
  constructor(
    private readonly messages: MessageRepository,
    private readonly views: ConversationViews,
  ) {}

  async execute(conversationId: string, payload: unknown): Promise<ChatAck<'history:get'>> {
    const after = checkSeq((payload as { afterSeq?: unknown } | undefined)?.afterSeq, 'afterSeq', 0);
    if ('error' in after) return { ok: false, error: after.error };
    const rows = await this.messages.list(conversationId, after.value, false);
    const messages: ChatMessage[] = rows.map((r) => this.views.forCaller(this.views.message(r)));
    return { ok: true, messages };
  }
}

/** What a caller's socket should show now: where the conversation is, and their place in line while waiting. */
export interface CallerView {
  status: ConversationStateEvent['status'];
  endReason: ConversationEndReason | null;
  position: QueuePositionEvent | null;
}

@Injectable()
export class CallerStates {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly gone: EndGoneConversation,
  ) {}

  /**
   * For the conversations whose callers this gateway holds (called every couple of seconds): where each is, each
   * waiting caller's place in line (how many wait ahead at the station, and an estimate from the station's recent
   * waits), and marks the waiting callers as present. A conversation whose contact ended another way is ended here
   * (the caller is told at once).
   */
  async execute(conversationIds: string[]): Promise<Map<string, CallerView>> {
    const rows = await this.conversations.findMany(conversationIds);
    const out = new Map<string, CallerView>();
    const waiting = rows.filter((r) => r.state === 'open' && callerState(r) === 'waiting');
    await this.conversations.callersSeen(waiting.map((r) => r.id));
    const ahead = new Map(
      (await this.conversations.positions(waiting.map((r) => r.contact_id))).map((p) => [p.contact_id, p.ahead]),
    );
    const means = new Map<string, number | null>();
    for (const r of rows) {
      if (r.state === 'open' && (await this.gone.execute(r))) {
        out.set(r.id, {
          status: 'ended',
          endReason: r.contact_status === 'abandoned' ? 'abandoned' : 'operator_ended',
          position: null,
        });
        continue;
      }
      const status = callerState(r);
      let position: QueuePositionEvent | null = null;
      if (status === 'waiting') {
        const n = ahead.get(r.contact_id) ?? 0;
        if (!means.has(r.station_id)) means.set(r.station_id, await this.conversations.recentWaitSeconds(r.station_id));
        const mean = means.get(r.station_id);
        position =
          mean === null || mean === undefined
            ? { ahead: n }
            : { ahead: n, estimatedWaitSeconds: Math.round(mean * (n + 1)) };
      }
      out.set(r.id, { status, endReason: r.end_reason, position });
    }
    return out;
  }
}

@Injectable()
export class EndChat {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly abandon: AbandonContact,
    private readonly end: EndContact,
    private readonly delivery: ConversationDelivery,
  ) {}

  /**
   * The person ends the conversation: while waiting, the contact is abandoned; once talking, it goes to wrap-up
   * (the operator records the outcome). Ending twice changes nothing.
   */
  async execute(conversationId: string): Promise<ChatAck<'conversation:end'>> {
    const c = await this.conversations.find(conversationId);
    if (!c) return { ok: false, error: 'not_found' };
    const operatorId = c.assigned_worker_id;
    const actor = { kind: 'intake', intakeKeyId: c.intake_key_id } as const;
    try {
      if (c.contact_status === 'queued' || c.contact_status === 'offered') {
        await this.abandon.execute(c.contact_id, c.intake_key_id);
      } else if (c.contact_status === 'active') {
        await this.end.execute(c.contact_id, actor);
      }
    } catch (err) {
      // answered meanwhile (abandon refused): end the talk instead
      if (!(err instanceof ConflictException)) throw err;
      await this.end.execute(c.contact_id, actor).catch(() => undefined);
    }
    const ended = await this.conversations.transition(undefined, conversationId, 'end', 'caller_ended');
    if (ended) this.delivery.ended(c, 'caller_ended', c.contact_status === 'offered' ? null : operatorId);
    return { ok: true };
  }
}

@Injectable()
export class MarkMessages {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly delivery: ConversationDelivery,
  ) {}

  /** Moves one side's delivered or read mark and tells the other side. */
  async execute(
    conversationId: string,
    by: 'caller' | 'operator',
    mark: 'delivered' | 'read',
    payload: unknown,
  ): Promise<{ ok: true } | { ok: false; error: string }> {
    const seq = checkSeq((payload as { seq?: unknown } | undefined)?.seq, 'seq');
    if ('error' in seq) return { ok: false, error: seq.error };
    const c = await this.conversations.find(conversationId);
    if (!c) return { ok: false, error: 'not_found' };
    const row = await this.conversations.mark(c.id, by, mark, seq.value);
    if (!row) return { ok: false, error: 'not_found' };
    const delivered = by === 'caller' ? row.caller_delivered_seq : row.operator_delivered_seq;
    const read = by === 'caller' ? row.caller_read_seq : row.operator_read_seq;
    this.delivery.marks(c, by, delivered, read);
    return { ok: true };
  }
}

@Injectable()
export class SignalTyping {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly delivery: ConversationDelivery,
  ) {}

  /** Relayed, not stored (at most once). */
  async execute(
    conversationId: string,
    by: 'caller' | 'operator',
    payload: unknown,
  ): Promise<{ ok: true } | { ok: false; error: string }> {
    const typing = (payload as { typing?: unknown } | undefined)?.typing;
    if (typeof typing !== 'boolean') return { ok: false, error: 'invalid_payload: typing must be true or false' };
    const c = await this.conversations.find(conversationId);
    if (c?.state === 'open') this.delivery.typing(c, by, typing);
    return { ok: true };
  }
}
