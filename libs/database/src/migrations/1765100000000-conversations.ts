import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversations of text contacts (issue 12; docs/conversations.md):
 * - conversations: one per text contact; the caller's resume token only as a SHA-256 digest; `last_seq` hands out
 *   each message's number (incremented under the row's lock, so numbers are gapless and ordered per conversation);
 *   `last_activity_at` (a message) and `caller_seen_at` (the caller's socket, while waiting) drive the inactivity
 *   sweep; delivered/read marks of each side; `purged_at` once the retention period removed the text.
 * - messages: text only encrypted (`text_enc`, AES-256-GCM, the message's id as AAD; NULL once purged); a resend is
 *   recognised by (conversation, sender, client_id).
 * - contact_transfers: who transferred a contact where, with the note encrypted (`n`: their order).
 * - contacts: where a transferred contact waits (`transfer_worker_id`, `transfer_unit_id`, `transfer_supervisor`),
 *   honoured by matching until it is accepted.
 * - station_settings: `chat_idle_minutes`.
 * - the built-in intake key of the web chat (no key: nothing can authenticate with it); its contacts are the web
 *   chat's.
 */
export class Conversations1765100000000 implements MigrationInterface {
  name = 'Conversations1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL UNIQUE REFERENCES contacts(id),
        resume_token_hash text UNIQUE,
        state text NOT NULL DEFAULT 'open' CHECK (state IN ('open','ended')),
        end_reason text,
        last_seq integer NOT NULL DEFAULT 0,
        last_activity_at timestamptz NOT NULL,
        caller_seen_at timestamptz NOT NULL,
        caller_delivered_seq integer NOT NULL DEFAULT 0,
        caller_read_seq integer NOT NULL DEFAULT 0,
        operator_delivered_seq integer NOT NULL DEFAULT 0,
        operator_read_seq integer NOT NULL DEFAULT 0,
        ended_at timestamptz,
        purged_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX conversations_open_idx ON conversations(last_activity_at) WHERE state = 'open';
      CREATE INDEX conversations_retention_idx ON conversations(ended_at) WHERE purged_at IS NULL;

      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES conversations(id),
        seq integer NOT NULL,
        sender text NOT NULL CHECK (sender IN ('caller','operator','system','whisper')),
        sender_user_id uuid REFERENCES users(id),
        client_id text CHECK (length(client_id) <= 64),
        text_enc bytea,
        created_at timestamptz NOT NULL,
        UNIQUE (conversation_id, seq)
      );
      CREATE UNIQUE INDEX messages_client_uq ON messages(conversation_id, sender, client_id) WHERE client_id IS NOT NULL;

      CREATE TABLE contact_transfers (
        id uuid PRIMARY KEY,
        n bigint GENERATED ALWAYS AS IDENTITY,
        contact_id uuid NOT NULL REFERENCES contacts(id),
        from_user_id uuid NOT NULL REFERENCES users(id),
        to_user_id uuid REFERENCES users(id),
        to_unit_id uuid REFERENCES org_units(id),
        to_supervisor boolean NOT NULL DEFAULT false,
        note_enc bytea,
        created_at timestamptz NOT NULL,
        CHECK ((to_user_id IS NOT NULL)::int + (to_unit_id IS NOT NULL)::int + to_supervisor::int = 1)
      );
      CREATE INDEX contact_transfers_contact_idx ON contact_transfers(contact_id, n);

      ALTER TABLE contacts ADD COLUMN transfer_worker_id uuid REFERENCES users(id),
                           ADD COLUMN transfer_unit_id uuid REFERENCES org_units(id),
                           ADD COLUMN transfer_supervisor boolean NOT NULL DEFAULT false;

      ALTER TABLE station_settings ADD COLUMN chat_idle_minutes integer CHECK (chat_idle_minutes BETWEEN 1 AND 1440);

      INSERT INTO intake_keys (id, name, key_hash, all_lines)
      VALUES ('00000000-0000-4000-8000-0000000c4a70', '网页咨询（内置，无密钥）', 'builtin:web-chat', true);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE station_settings DROP COLUMN chat_idle_minutes;
      ALTER TABLE contacts DROP COLUMN transfer_worker_id, DROP COLUMN transfer_unit_id, DROP COLUMN transfer_supervisor;
      DROP TABLE contact_transfers;
      DROP TABLE messages;
      DROP TABLE conversations;
    `);
  }
}
