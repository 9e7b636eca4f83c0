import { ConflictException, Injectable, Logger } from '@nestjs/common';
import type { ConversationEndReason } from '@kapok/contracts';
import { AppConfig } from '@kapok/config';
import { AbandonContact, EndContact } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { ConversationDelivery } from '../conversation-delivery';
import { ConversationLog } from '../conversation-log';
import { ConversationRepository, ConversationWithContact } from '../conversation.repository';
import { MessageRepository } from '../message.repository';
import { TransferRepository } from '../transfer.repository';
import { WEB_CHAT_INTAKE_KEY_ID } from './start-chat-session';

/** What the caller reads when a conversation is closed for inactivity. */
export const IDLE_NOTICE = '由于较长时间没有新消息，本次对话已结束。谢谢您的信任，如需帮助，欢迎随时再联系我们。';

class Moved extends Error {}

/**
 * A conversation whose contact ended another way (the operator's end, the outcome, an abandon): the conversation
 * ends too and the caller is told. Called by the caller's gateway as soon as it sees it, and by the sweep.
 */
@Injectable()
export class EndGoneConversation {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly delivery: ConversationDelivery,
  ) {}

  async execute(c: ConversationWithContact): Promise<boolean> {
    if (!['wrap_up', 'completed', 'abandoned'].includes(c.contact_status)) return false;
    const reason: ConversationEndReason = c.contact_status === 'abandoned' ? 'abandoned' : 'operator_ended';
    const ended = await this.conversations.transition(undefined, c.id, 'end', reason);
    if (ended) this.delivery.ended(c, reason);
    return !!ended;
  }
}

/**
 * Inactivity (the router's `conversation-sweep` job, every CONVERSATION_SWEEP_SECONDS, decided on the Clock):
 * - an active conversation with no message for the station's idle minutes (chatIdleMinutes, default
 *   CHAT_IDLE_MINUTES) is closed politely: a system message, the contact to wrap-up, both sides told;
 * - a caller who left while waiting (no socket of theirs seen for as long) is abandoned;
 * - a conversation whose contact ended another way is ended.
 * Every step is a conditional transition: run twice, it does nothing twice.
 */
@Injectable()
export class CloseIdleConversations {
  private readonly logger = new Logger(CloseIdleConversations.name);

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly log: ConversationLog,
    private readonly end: EndContact,
    private readonly abandon: AbandonContact,
    private readonly gone: EndGoneConversation,
    private readonly delivery: ConversationDelivery,
    private readonly config: AppConfig,
  ) {}

  async execute(): Promise<{ idle: number; left: number; gone: number }> {
    const minutes = this.config.get('CHAT_IDLE_MINUTES');
    let idle = 0;
    let left = 0;
    let gone = 0;
    for (const c of await this.conversations.idle(minutes)) {
      if (await this.closeIdle(c)) idle++;
    }
    for (const c of await this.conversations.leftWaiting(minutes)) {
      try {
        await this.abandon.execute(c.contact_id, c.intake_key_id);
      } catch (err) {
        if (err instanceof ConflictException) continue; // answered meanwhile: not left
        throw err;
      }
      const ended = await this.conversations.transition(undefined, c.id, 'end', 'abandoned');
      if (ended) {
        left++;
        this.delivery.ended(c, 'abandoned', null);
      }
    }
    for (const id of await this.conversations.orphans(WEB_CHAT_INTAKE_KEY_ID)) {
      await this.abandon.execute(id, WEB_CHAT_INTAKE_KEY_ID).catch(() => undefined);
    }
    for (const c of await this.conversations.contactGone()) if (await this.gone.execute(c)) gone++;
    if (idle + left + gone) this.logger.log(`conversations closed: ${idle} idle, ${left} left waiting, ${gone} ended`);
    return { idle, left, gone };
  }

  private async closeIdle(c: ConversationWithContact): Promise<boolean> {
    let notice;
    try {
      notice = await this.log.append(
        c.id,
        {
          sender: 'system',
          userId: null,
          clientId: `idle:${new Date(c.last_activity_at).getTime()}`,
          text: IDLE_NOTICE,
        },
        (locked) => {
          // a message (or the operator's end) came in meanwhile: not idle any more
          const same = new Date(locked.last_activity_at).getTime() === new Date(c.last_activity_at).getTime();
          if (!same || locked.contact_status !== 'active') throw new Moved();
        },
      );
    } catch (err) {
      if (err instanceof Moved) return false;
      throw err;
    }
    if (!notice) return false;
    if (notice.created) this.delivery.message(notice.conversation, notice.message);
    await this.end.execute(c.contact_id, { kind: 'intake', intakeKeyId: c.intake_key_id }).catch((err) => {
      if (!(err instanceof ConflictException)) throw err;
    });
    const ended = await this.conversations.transition(undefined, c.id, 'end', 'idle');
    if (ended) this.delivery.ended(c, 'idle');
    return !!ended;
  }
}

/**
 * Retention (TRANSCRIPT_RETENTION_DAYS, default 180, after the conversation ended; the same sweep): the text of
 * every message and transfer note is removed; the messages' numbers and times, the contact and its record stay.
 */
@Injectable()
export class PurgeExpiredTranscripts {
  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly transfers: TransferRepository,
    private readonly config: AppConfig,
  ) {}

  async execute(): Promise<number> {
    let purged = 0;
    for (const id of await this.conversations.pastRetention(this.config.get('TRANSCRIPT_RETENTION_DAYS'))) {
      const done = await this.db.tx(async (tx) => {
        const c = await this.conversations.lock(id, tx);
        if (!c || c.purged_at) return false;
        await this.messages.purgeText(tx, id);
        await this.transfers.purgeNotes(tx, c.contact_id);
        return this.conversations.markPurged(tx, id);
      });
      if (done) purged++;
    }
    return purged;
  }
}
