import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Db, Tx } from '@kapok/database';
import { IntakeKeyPrincipal } from './auth.types';

/** Intake keys are random secrets, so a SHA-256 digest is enough to store them (never the key itself). */
export const digestKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

@Injectable()
export class IntakeKeyRepository {
  constructor(private readonly db: Db) {}

  async create(name: string, key: string, tx?: Tx): Promise<IntakeKeyPrincipal> {
    const row = await this.db.one<IntakeKeyPrincipal>(
      'INSERT INTO intake_keys (name, key_hash) VALUES ($1, $2) RETURNING id, name',
      [name, digestKey(key)],
      tx,
    );
    return row!;
  }

  async findActive(key: string): Promise<IntakeKeyPrincipal | undefined> {
    return this.db.one<IntakeKeyPrincipal>('SELECT id, name FROM intake_keys WHERE key_hash = $1 AND active', [
      digestKey(key),
    ]);
  }
}
