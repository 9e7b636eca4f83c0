import { randomUUID } from 'node:crypto';
import { AppConfig, validateConfig } from '@kapok/config';
import { CallerNumberCipher } from './caller-number-cipher';

const base = { DATABASE_URL: 'postgres://localhost/k', REDIS_URL: 'redis://localhost:6379' };
const cipherWith = (key?: string) =>
  new CallerNumberCipher(new AppConfig(validateConfig({ ...base, ...(key ? { CALLER_NUMBER_ENCRYPTION_KEY: key } : {}) })));

describe('CallerNumberCipher (AES-256-GCM)', () => {
  const id = randomUUID();
  const cipher = cipherWith('11'.repeat(32));

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
    expect(() => cipherWith('22'.repeat(32)).decrypt(id, value)).toThrow();
    expect(() => cipher.decrypt(id, Buffer.from([9, 1, 2]))).toThrow(/format/);
  });
  it('takes the key as 64 hex characters or base64, with a development default', () => {
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(cipherWith(b64).decrypt(id, cipherWith(b64).encrypt(id, '110'))).toBe('110');
    expect(cipherWith().decrypt(id, cipherWith().encrypt(id, '120'))).toBe('120');
  });
  it('the configuration names a bad or missing key', () => {
    expect(() => validateConfig({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: 'short' })).toThrow(/CALLER_NUMBER_ENCRYPTION_KEY/);
    expect(() => validateConfig({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: 'ab'.repeat(31) })).toThrow(/CALLER_NUMBER_ENCRYPTION_KEY/);
    const prod = { ...base, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(20), CALLER_NUMBER_KEY: 'y'.repeat(20) };
    expect(() => validateConfig(prod)).toThrow(/CALLER_NUMBER_ENCRYPTION_KEY: required/);
    expect(validateConfig({ ...prod, CALLER_NUMBER_ENCRYPTION_KEY: 'ab'.repeat(32) }).CALLER_NUMBER_ENCRYPTION_KEY).toBe('ab'.repeat(32));
  });
});
