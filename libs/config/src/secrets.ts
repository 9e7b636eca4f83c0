import { randomBytes } from 'node:crypto';

/** The three keys every serving process needs; none has a default (README "Secrets"). */
export const SECRET_NAMES = ['JWT_SECRET', 'CALLER_NUMBER_KEY', 'CALLER_NUMBER_ENCRYPTION_KEY'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export const HOW_TO_MAKE_A_KEY = 'make one with: openssl rand -hex 32';

/**
 * Values that were once built into Kapok as development defaults and are public in its history. Refused wherever
 * they appear, so a copied .env or an old compose file cannot bring them back.
 */
export const PUBLISHED_DEVELOPMENT_KEYS: Readonly<Record<SecretName, readonly string[]>> = {
  JWT_SECRET: ['kapok-development-secret-not-for-production'],
  CALLER_NUMBER_KEY: ['kapok-development-caller-key'],
  CALLER_NUMBER_ENCRYPTION_KEY: ['6b61706f6b2d646576656c6f706d656e742d6f6e6c792d6e6f742d7365637265'],
};
const PUBLISHED = new Set(Object.values(PUBLISHED_DEVELOPMENT_KEYS).flat());

/** A 32-byte key given as 64 hex characters or as base64; undefined when it is neither. */
export function decodeKey32(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

/**
 * A simple estimate of whether a string is a random key rather than a word, a repeated letter or a pattern:
 * at least 10 different characters, and at least 3 in 4 of its three-character windows different (a repeated
 * letter or pattern repeats its windows; 64 random hex characters practically never do).
 */
function looksRandom(value: string): boolean {
  if (new Set(value).size < 10) return false;
  const windows = value.length - 2;
  const distinct = new Set<string>();
  for (let i = 0; i < windows; i++) distinct.add(value.slice(i, i + 3));
  return distinct.size >= 0.75 * windows;
}

/**
 * What is wrong with a JWT_SECRET or CALLER_NUMBER_KEY, or undefined when it is strong enough: at least 32 random
 * bytes, i.e. 64+ hex characters, 43+ base64 characters, or any other string of 64+ characters; not repetitive;
 * not a published development value.
 */
export function secretProblem(value: string): string | undefined {
  if (PUBLISHED.has(value)) return `is a published development value and is refused; ${HOW_TO_MAKE_A_KEY}`;
  const hex = /^[0-9a-fA-F]+$/.test(value);
  // Base64 (or base64url) of 32 bytes: 43 characters before the padding.
  const base64 = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value);
  const text = base64 ? value.replace(/=+$/, '') : value;
  const enough = hex ? text.length >= 64 : base64 ? text.length >= 43 : text.length >= 64;
  if (!enough || !looksRandom(text)) {
    return (
      'must be at least 32 random bytes (64+ hex characters, 43+ base64 characters, or another string of ' +
      `64+ characters, not a repeated letter or pattern); ${HOW_TO_MAKE_A_KEY}`
    );
  }
  return undefined;
}

/** What is wrong with a CALLER_NUMBER_ENCRYPTION_KEY (AES-256: exactly 32 bytes), or undefined. */
export function encryptionKeyProblem(value: string): string | undefined {
  if (PUBLISHED.has(value)) return `is a published development value and is refused; ${HOW_TO_MAKE_A_KEY}`;
  const key = decodeKey32(value);
  if (!key) return `must be 32 bytes, as 64 hex characters or base64; ${HOW_TO_MAKE_A_KEY}`;
  // 32 random bytes have ~30 different values; a repeated byte or short pattern has a handful.
  if (new Set(key).size < 16) return `must be 32 random bytes, not a repeated byte or pattern; ${HOW_TO_MAKE_A_KEY}`;
  return undefined;
}

/** What is wrong with the value of one of the three keys, or undefined when it is acceptable. */
export function keyProblem(name: SecretName, value: string): string | undefined {
  return name === 'CALLER_NUMBER_ENCRYPTION_KEY' ? encryptionKeyProblem(value) : secretProblem(value);
}

/** A fresh random key (32 bytes as 64 hex characters), as `openssl rand -hex 32` makes. */
export function generateKey(): string {
  for (;;) {
    const key = randomBytes(32).toString('hex');
    // Practically always on the first try; the loop only guarantees the estimate above can never refuse it.
    if (!secretProblem(key) && !encryptionKeyProblem(key)) return key;
  }
}

/** One fresh random value for each of the three keys. */
export function generateSecrets(): Record<SecretName, string> {
  return { JWT_SECRET: generateKey(), CALLER_NUMBER_KEY: generateKey(), CALLER_NUMBER_ENCRYPTION_KEY: generateKey() };
}
