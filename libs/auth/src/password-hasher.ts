import { Injectable } from '@nestjs/common';
import { Options, hash, verify } from '@node-rs/argon2';

/**
 * Argon2id for generated one-time passwords (hashTemporary): 2 MiB and one pass instead of the library's default
 * 19 MiB and two (OWASP's minimum for chosen passwords), about 1 ms instead of about 20 ms, so that importing 7,000
 * workers hashes in seconds. A weaker hash is safe for these because what it protects is not guessable: 14
 * random characters (about 81 bits, generateTemporaryPassword) that no person chose or reuses elsewhere, which must
 * be changed at first sign-in (the chosen password then gets the full cost). The encoded hash carries its own
 * parameters, so `verify` reads both kinds.
 */
const TEMPORARY: Options = { memoryCost: 2048, timeCost: 1, parallelism: 1 };

/** How many hashes run at once in a batch (they run on libuv's thread pool, which has 4 threads by default). */
const BATCH_CONCURRENCY = 8;

/** Argon2id password hashing (@node-rs/argon2, prebuilt binary: no install script needed). */
@Injectable()
export class PasswordHasher {
  /** A chosen password (the library's defaults: argon2id, 19 MiB, 2 passes). */
  hash(password: string): Promise<string> {
    return hash(password);
  }

  /** A generated one-time password, at the lower cost above (never for a password a person chose). */
  hashTemporary(password: string): Promise<string> {
    return hash(password, TEMPORARY);
  }

  /** Many generated one-time passwords, hashed on the thread pool a few at a time; in the same order. */
  async hashTemporaryMany(passwords: readonly string[]): Promise<string[]> {
    const out = new Array<string>(passwords.length);
    let next = 0;
    const worker = async () => {
      while (next < passwords.length) {
        const i = next++;
        out[i] = await this.hashTemporary(passwords[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, passwords.length) }, worker));
    return out;
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }
}
