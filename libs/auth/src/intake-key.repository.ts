import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Db, Tx } from '@kapok/database';
import { IntakeKeyPrincipal } from './auth.types';

/**
 * Intake keys are random secrets (≥ 256 bits when Kapok issues them), so an unsalted SHA-256 digest is enough to
 * store them: nothing is learnt from the digest, and the key itself is never stored.
 */
export const digestKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** Whether two hex digests are the same, in time that does not depend on where they differ. */
const sameDigest = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

/** How long a key's last use may be stale: it is written at most this often per key (not once per contact). */
const LAST_USED_RESOLUTION_SECONDS = 60;

/** A key as administration reads it (never the key, nor its digest). */
export interface IntakeKeyRecord {
  id: string;
  name: string;
  /** The lines it may take intake for; null: every line. */
  hotlineIds: string[] | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  rotatedAt: Date | null;
  previousKeyValidUntil: Date | null;
}

interface KeyRow {
  id: string;
  name: string;
  all_lines: boolean;
  hotline_ids: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  rotated_at: Date | null;
  previous_expires_at: Date | null;
}

const KEY_COLUMNS = `k.id, k.name, k.all_lines, k.created_at, k.last_used_at, k.revoked_at, k.rotated_at,
  k.previous_expires_at,
  ARRAY(SELECT kh.hotline_id FROM intake_key_hotlines kh WHERE kh.intake_key_id = k.id ORDER BY kh.hotline_id)
    AS hotline_ids`;

/** The only writer of intake_keys and intake_key_hotlines. */
@Injectable()
export class IntakeKeyRepository {
  constructor(private readonly db: Db) {}

  /** Stores a key's digest, for every line or (with `hotlineIds`) only those lines. */
  async create(name: string, key: string, tx?: Tx, hotlineIds: string[] | null = null): Promise<IntakeKeyPrincipal> {
    const row = await this.db.one<{ id: string; name: string }>(
      'INSERT INTO intake_keys (name, key_hash, all_lines) VALUES ($1, $2, $3) RETURNING id, name',
      [name, digestKey(key), hotlineIds === null],
      tx,
    );
    if (hotlineIds?.length) {
      await this.db.run(
        `INSERT INTO intake_key_hotlines (intake_key_id, hotline_id)
         SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
        [row!.id, hotlineIds],
        tx,
      );
    }
    return { ...row!, hotlineIds: hotlineIds && [...hotlineIds] };
  }

  /**
   * The key that is not revoked and whose current digest is this key's, or whose previous digest is and still within
   * its overlap after a rotation (`now`, the Clock's). No cache: a revoked key is refused from the next request on.
   * The key's last use is noted (at most once a minute). The row is found by the digest's index; the digest read is
   * then compared again in constant time (the key is never compared as text).
   */
  async findActive(key: string, now: Date = new Date()): Promise<IntakeKeyPrincipal | undefined> {
    const digest = digestKey(key);
    const row = await this.db.one<{
      id: string;
      name: string;
      all_lines: boolean;
      hotline_ids: string[];
      key_hash: string;
      previous_key_hash: string | null;
    }>(
      `WITH k AS (
         SELECT id, name, all_lines, key_hash, previous_key_hash FROM intake_keys
          WHERE revoked_at IS NULL
            AND (key_hash = $1 OR (previous_key_hash = $1 AND previous_expires_at > $2))
       ), touched AS (
         UPDATE intake_keys t SET last_used_at = $2 FROM k
          WHERE t.id = k.id
            AND (t.last_used_at IS NULL OR t.last_used_at < $2::timestamptz - make_interval(secs => $3)
                 OR t.last_used_at > $2)
       )
       SELECT k.*, ARRAY(SELECT hotline_id FROM intake_key_hotlines WHERE intake_key_id = k.id) AS hotline_ids
         FROM k`,
      [digest, now, LAST_USED_RESOLUTION_SECONDS],
    );
    if (!row) return undefined;
    const matches =
      sameDigest(row.key_hash, digest) || (!!row.previous_key_hash && sameDigest(row.previous_key_hash, digest));
    if (!matches) return undefined;
    return { id: row.id, name: row.name, hotlineIds: row.all_lines ? null : row.hotline_ids };
  }

  async find(id: string, tx?: Tx): Promise<IntakeKeyRecord | undefined> {
    const row = await this.db.one<KeyRow>(`SELECT ${KEY_COLUMNS} FROM intake_keys k WHERE k.id = $1`, [id], tx);
    return row && toRecord(row);
  }

  /** Every key, newest first (administration narrows them to the admin's lines). */
  async list(tx?: Tx): Promise<IntakeKeyRecord[]> {
    const rows = await this.db.rows<KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM intake_keys k ORDER BY k.created_at DESC, k.id`,
      [],
      tx,
    );
    return rows.map(toRecord);
  }

  /** Revokes the key (refused from the next request on); false when it was already revoked or does not exist. */
  async revoke(id: string, at: Date, tx?: Tx): Promise<boolean> {
    const res = await this.db.run(
      'UPDATE intake_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, at],
      tx,
    );
    return res.rowCount > 0;
  }

  /**
   * Replaces a key that is not revoked by a new one (same id, so the contacts it took and the gateway's idempotency
   * stay with it); the key it replaces is accepted until `previousValidUntil` (a second rotation ends the first
   * overlap at once). False when the key is revoked or does not exist.
   */
  async rotate(id: string, newKey: string, previousValidUntil: Date, at: Date, tx?: Tx): Promise<boolean> {
    const res = await this.db.run(
      `UPDATE intake_keys
          SET previous_key_hash = key_hash, previous_expires_at = $3, key_hash = $2, rotated_at = $4
        WHERE id = $1 AND revoked_at IS NULL`,
      [id, digestKey(newKey), previousValidUntil, at],
      tx,
    );
    return res.rowCount > 0;
  }
}

function toRecord(r: KeyRow): IntakeKeyRecord {
  return {
    id: r.id,
    name: r.name,
    hotlineIds: r.all_lines ? null : r.hotline_ids,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    rotatedAt: r.rotated_at,
    previousKeyValidUntil: r.previous_expires_at,
  };
}
