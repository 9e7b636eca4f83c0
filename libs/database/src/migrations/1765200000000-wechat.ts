import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The WeChat Official Account adapter (issue 12, docs/wechat.md), written only by libs/wechat's WechatRepository:
 * - wechat_links: which WeChat user (OpenID, per Official Account) a `wechat` conversation is with. The OpenID is a
 *   secret like a caller's number: only as a keyed hash (`openid_hash`, HMAC-SHA256 with CALLER_NUMBER_KEY, to find
 *   the user's open conversation) and encrypted (`openid_enc`, AES-256-GCM, the link's id as AAD, to reply).
 * - wechat_inbound: the MsgIds already taken in, so that WeChat's redeliveries (it retries a push 3 times) are not
 *   duplicated; no content.
 * - wechat_deliveries: each operator/system message going out through the customer-service API, with its delivery
 *   state (pending → sent | failed), attempts and WeChat's last errcode; no content.
 * - the built-in intake key of WeChat contacts (no key: nothing can authenticate with it).
 */
export class Wechat1765200000000 implements MigrationInterface {
  name = 'Wechat1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wechat_links (
        id uuid PRIMARY KEY,
        app_id text NOT NULL,
        openid_hash text NOT NULL,
        openid_enc bytea NOT NULL,
        contact_id uuid NOT NULL REFERENCES contacts(id),
        conversation_id uuid NOT NULL UNIQUE REFERENCES conversations(id),
        created_at timestamptz NOT NULL
      );
      CREATE INDEX wechat_links_user_idx ON wechat_links(app_id, openid_hash, created_at DESC);

      CREATE TABLE wechat_inbound (
        app_id text NOT NULL,
        msg_id text NOT NULL CHECK (length(msg_id) <= 64),
        link_id uuid REFERENCES wechat_links(id),
        received_at timestamptz NOT NULL,
        PRIMARY KEY (app_id, msg_id)
      );
      CREATE INDEX wechat_inbound_received_idx ON wechat_inbound(received_at);

      CREATE TABLE wechat_deliveries (
        message_id uuid PRIMARY KEY REFERENCES messages(id),
        link_id uuid NOT NULL REFERENCES wechat_links(id),
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text CHECK (length(last_error) <= 200),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX wechat_deliveries_pending_idx ON wechat_deliveries(updated_at) WHERE state = 'pending';

      INSERT INTO intake_keys (id, name, key_hash, all_lines)
      VALUES ('00000000-0000-4000-8000-0000000c4a71', '微信公众号（内置，无密钥）', 'builtin:wechat', true);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE wechat_deliveries;
      DROP TABLE wechat_inbound;
      DROP TABLE wechat_links;
    `);
  }
}
