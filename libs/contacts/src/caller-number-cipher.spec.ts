import { randomBytes, randomUUID } from 'node:crypto';
import { AppConfig, generateKey, validateConfig } from '@kapok/config';
import { CallerNumberCipher } from './caller-number-cipher';

const base = {
  DATABASE_URL: 'postgres://localhost/k',
  REDIS_URL: 'redis://localhost:6379',
  JWT_SECRET: generateKey(),
  CALLER_NUMBER_KEY: generateKey(),
};
const cipherWith = (key: string) =>
  new CallerNumberCipher(new AppConfig(validateConfig({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: key })));

describe('CallerNumberCipher (AES-256-GCM)', () => {
  const id = randomUUID();
  const cipher = cipherWith(generateKey());

  it('round-trips the normalised number', () => {
    expect(cipher.decrypt(id, cipher.encrypt(id, '138-1234-5678'))).toBe('13812345678');
    expect(cipher.decrypt(id, cipher.encrypt(id, '+86 138 1234 5678'))).toBe('+8613812345678');
  });
  it('never stores the number in the clear, and never the same bytes twice', () => {
    const a = cipher.encrypt(id, '13812345678');
    const b = cipher.encrypt(id, '13812345678');
    expect(a.toString('latin1')).not.toContain('13812345678');
    expect(a.toString('hex')).not.toContain(Buffer.from('13812345678').toString('hex'));
    expect(a.equals(b)).toBe(false);
  });
  it('refuses a value moved to another contact, tampered with, or made with another key', () => {
    const value = cipher.encrypt(id, '13812345678');
    expect(() => cipher.decrypt(randomUUID(), value)).toThrow();
    const tampered = Buffer.from(value);
    tampered[tampered.length - 1] ^= 1;
    expect(() => cipher.decrypt(id, tampered)).toThrow();
    expect(() => cipherWith(generateKey()).decrypt(id, value)).toThrow();
    expect(() => cipher.decrypt(id, Buffer.from([9, 1, 2]))).toThrow(/format/);
  });
  it('takes the key as 64 hex characters or base64 (there is no default)', () => {
    const b64 = randomBytes(32).toString('base64');
    expect(cipherWith(b64).decrypt(id, cipherWith(b64).encrypt(id, '110'))).toBe('110');
    const hex = Buffer.from(b64, 'base64').toString('hex');
    expect(cipherWith(hex).decrypt(id, cipherWith(b64).encrypt(id, '120'))).toBe('120');
  });
  it('the configuration names a bad or missing key', () => {
    expect(() => validateConfig({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: 'short' })).toThrow(
      /CALLER_NUMBER_ENCRYPTION_KEY/,
    );
    expect(() => validateConfig({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: 'ab'.repeat(31) })).toThrow(
      /CALLER_NUMBER_ENCRYPTION_KEY/,
    );
    expect(() => validateConfig(base)).toThrow(/CALLER_NUMBER_ENCRYPTION_KEY: required/);
    const key = generateKey();
    expect(validateConfig({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: key }).CALLER_NUMBER_ENCRYPTION_KEY).toBe(key);
  });
});
