import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { Db, Tx } from '@kapok/database';
import { WECHAT_CLIENT_ID_PREFIX } from './wechat-conversations.port';
import {
  WechatDeliveryState,
  WechatDeliveryTransitionName,
  WechatDeliveryTransitions,
} from './wechat-delivery-state-machine';

export interface WechatLinkRow {
  id: string;
  app_id: string;
  openid_hash: string;
  openid_enc: Buffer;
  contact_id: string;
  conversation_id: string;
  created_at: Date;
}

export interface WechatDeliveryRow {
  message_id: string;
  link_id: string;
  state: WechatDeliveryState;
  attempts: number;
  last_error: string | null;
}

/**
 * The one writer of wechat_links, wechat_inbound and wechat_deliveries (migration 1765200000000-wechat). No message
 * text and no OpenID in clear are ever stored here.
 */
@Injectable()
export class WechatRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs `fn` in a transaction holding a lock on one WeChat user of one account (a transaction-scoped advisory
   * lock): that user's pushes are taken in one at a time, in order, and their first message opens one conversation.
   */
  async withUserLock<T>(appId: string, openidHash: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.tx(async (tx) => {
      await this.db.run(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`wechat:${appId}:${openidHash}`], tx);
      return fn(tx);
    });
  }

  async alreadyReceived(appId: string, msgId: string, tx?: Tx): Promise<boolean> {
    const row = await this.db.one('SELECT 1 FROM wechat_inbound WHERE app_id = $1 AND msg_id = $2', [appId, msgId], tx);
    return !!row;
  }

  /** Notes a MsgId as taken in (a second time is a no-op). */
  async markReceived(appId: string, msgId: string, linkId: string | null, tx?: Tx): Promise<void> {
    await this.db.run(
      `INSERT INTO wechat_inbound (app_id, msg_id, link_id, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (app_id, msg_id) DO NOTHING`,
      [appId, msgId, linkId, this.clock.now()],
      tx,
    );
  }

  /** The user's latest conversation link on this account, if any. */
  async latestLink(appId: string, openidHash: string, tx?: Tx): Promise<WechatLinkRow | undefined> {
    return this.db.one<WechatLinkRow>(
      `SELECT * FROM wechat_links WHERE app_id = $1 AND openid_hash = $2 ORDER BY created_at DESC, id LIMIT 1`,
      [appId, openidHash],
      tx,
    );
  }

  /** Links a new conversation to the user (the same conversation again: the existing link). */
  async link(
    l: { id: string; appId: string; openidHash: string; openidEnc: Buffer; contactId: string; conversationId: string },
    tx?: Tx,
  ): Promise<WechatLinkRow> {
    const inserted = await this.db.one<WechatLinkRow>(
      `INSERT INTO wechat_links (id, app_id, openid_hash, openid_enc, contact_id, conversation_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (conversation_id) DO NOTHING RETURNING *`,
      [l.id, l.appId, l.openidHash, l.openidEnc, l.contactId, l.conversationId, this.clock.now()],
      tx,
    );
    return inserted ?? (await this.linkOfConversation(l.conversationId, tx))!;
  }

  async linkOfConversation(conversationId: string, tx?: Tx): Promise<WechatLinkRow | undefined> {
    return this.db.one<WechatLinkRow>('SELECT * FROM wechat_links WHERE conversation_id = $1', [conversationId], tx);
  }

  async linkById(id: string, tx?: Tx): Promise<WechatLinkRow | undefined> {
    return this.db.one<WechatLinkRow>('SELECT * FROM wechat_links WHERE id = $1', [id], tx);
  }

  async delivery(messageId: string, tx?: Tx): Promise<WechatDeliveryRow | undefined> {
    return this.db.one<WechatDeliveryRow>(
      'SELECT message_id, link_id, state, attempts, last_error FROM wechat_deliveries WHERE message_id = $1',
      [messageId],
      tx,
    );
  }

  /** Applies a named transition as a conditional update; undefined when the delivery was not in a state it starts from. */
  async deliveryTransition(
    messageId: string,
    name: WechatDeliveryTransitionName,
    lastError: string | null = null,
    tx?: Tx,
  ): Promise<WechatDeliveryRow | undefined> {
    const t = WechatDeliveryTransitions[name];
    return this.db.one<WechatDeliveryRow>(
      `UPDATE wechat_deliveries SET state = $3, updated_at = $4, last_error = $5${t.attempt ? ', attempts = attempts + 1' : ''}
        WHERE message_id = $1 AND state = ANY($2::text[])
        RETURNING message_id, link_id, state, attempts, last_error`,
      [messageId, t.from, t.to, this.clock.now(), lastError?.slice(0, 200) ?? null],
      tx,
    );
  }

  /**
   * The replies to send that have no delivery yet — operator and system messages of the linked conversations (open,
   * or ended within the hour) from the last 48 hours (WeChat's customer-service window) — written `pending` now
   * (the transactional outbox of the adapter: a reply stored is found here, whatever crashed). Reads `messages` and
   * `conversations` (the conversations library's) without writing them; never this adapter's own notes (`wx:…`).
   * With `messageId`, that message only (told by the conversations the moment it was stored).
   */
  async adoptUndelivered(limit = 500, messageId: string | null = null): Promise<string[]> {
    const rows = await this.db.rows<{ message_id: string }>(
      `INSERT INTO wechat_deliveries (message_id, link_id, created_at, updated_at)
       SELECT m.id, l.id, $1, $1
         FROM wechat_links l
         JOIN conversations v ON v.id = l.conversation_id
         JOIN messages m ON m.conversation_id = l.conversation_id
        WHERE (v.state = 'open' OR v.ended_at > $1::timestamptz - interval '1 hour')
          AND m.sender IN ('operator', 'system')
          AND (m.client_id IS NULL OR m.client_id NOT LIKE $2)
          AND m.created_at > $1::timestamptz - interval '48 hours'
          AND NOT EXISTS (SELECT 1 FROM wechat_deliveries d WHERE d.message_id = m.id)
          AND ($4::uuid IS NULL OR m.id = $4::uuid)
        ORDER BY m.created_at
        LIMIT $3
       ON CONFLICT (message_id) DO NOTHING
       RETURNING message_id`,
      [this.clock.now(), `${WECHAT_CLIENT_ID_PREFIX}%`, limit, messageId],
    );
    return rows.map((r) => r.message_id);
  }

  /** Deliveries still pending and untouched for `olderThanSeconds` (their job may have been lost with Redis). */
  async stalePending(olderThanSeconds: number, limit = 500): Promise<string[]> {
    const rows = await this.db.rows<{ message_id: string }>(
      `SELECT message_id FROM wechat_deliveries
        WHERE state = 'pending' AND updated_at <= $1::timestamptz - make_interval(secs => $2)
        ORDER BY updated_at LIMIT $3`,
      [this.clock.now(), olderThanSeconds, limit],
    );
    return rows.map((r) => r.message_id);
  }
}
