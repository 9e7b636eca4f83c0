import { randomUUID } from 'node:crypto';
import { AppConfig, generateKey, validateConfig } from '@kapok/config';
import { CallerNumberCipher } from '@kapok/contacts';
import { MessageTextCipher } from './message-text-cipher';
import { checkMessage } from './conversation.views';

const config = new AppConfig(
  validateConfig({
    DATABASE_URL: 'postgres://localhost/k',
    REDIS_URL: 'redis://localhost:6379',
    JWT_SECRET: generateKey(),
    CALLER_NUMBER_KEY: generateKey(),
    CALLER_NUMBER_ENCRYPTION_KEY: generateKey(),
  }),
);

describe('MessageTextCipher (AES-256-GCM, a key of its own derived from the configured one)', () => {
  const cipher = new MessageTextCipher(config);
  const id = randomUUID();

  it('round-trips the text and never stores it in the clear, nor the same bytes twice', () => {
    const text = '我最近睡不着，压力很大';
    const a = cipher.encryptMessage(id, text);
    expect(cipher.decryptMessage(id, a)).toBe(text);
    expect(a.toString('utf8')).not.toContain('睡不着');
    expect(a.toString('hex')).not.toContain(Buffer.from('睡不着').toString('hex'));
    expect(a.equals(cipher.encryptMessage(id, text))).toBe(false);
  });

  it('refuses a value moved to another message, a note read as a message, or the caller-number key', () => {
    const value = cipher.encryptMessage(id, '你好');
    expect(() => cipher.decryptMessage(randomUUID(), value)).toThrow();
    expect(() => cipher.decryptNote(id, value)).toThrow();
    // the caller numbers' cipher (the configured key itself) cannot read it: the keys are separate
    expect(() => new CallerNumberCipher(config).decrypt(id, value)).toThrow();
  });
});

describe('checkMessage', () => {
  it('accepts 2,000 characters (counted as characters, not UTF-16 units) and refuses more, naming the limit', () => {
    expect(checkMessage({ clientId: 'a', text: '😀'.repeat(2000) })).toMatchObject({ clientId: 'a' });
    expect(checkMessage({ clientId: 'a', text: 'x'.repeat(2001) })).toEqual({
      error: expect.stringMatching(/^text_too_long: at most 2000 characters/),
    });
  });
  it('refuses a missing or long clientId, an empty text, a bad contactId', () => {
    expect(checkMessage({ text: 'hi' })).toEqual({ error: expect.stringMatching(/clientId/) });
    expect(checkMessage({ clientId: 'x'.repeat(65), text: 'hi' })).toEqual({
      error: expect.stringMatching(/clientId/),
    });
    expect(checkMessage({ clientId: 'a', text: ' \n ' })).toEqual({ error: 'invalid_payload: text is empty' });
    expect(checkMessage({ clientId: 'a', text: 'hi', contactId: 'nope' }, { contactId: true })).toEqual({
      error: expect.stringMatching(/contactId/),
    });
    expect(checkMessage(null)).toEqual({ error: expect.stringMatching(/^invalid_payload/) });
  });
});
