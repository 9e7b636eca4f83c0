import { randomBytes } from 'node:crypto';
import { validateConfig } from './config.schema';
import { PUBLISHED_DEVELOPMENT_KEYS, SECRET_NAMES, generateKey, generateSecrets } from './secrets';

const urls = { DATABASE_URL: 'postgres://localhost/k', REDIS_URL: 'redis://localhost:6379' };
const keys = generateSecrets();
const base = { ...urls, ...keys };

/** The message validateConfig throws for this environment ('' when it accepts it). */
const refusal = (env: Record<string, unknown>): string => {
  try {
    validateConfig(env);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('validateConfig', () => {
  it('applies documented defaults and keeps the keys it is given', () => {
    const cfg = validateConfig(base);
    expect(cfg.PORT).toBe(3000);
    expect(cfg.OFFER_TIMEOUT_SECONDS).toBe(20);
    expect(cfg.NODE_ENV).toBe('development');
    expect([cfg.JWT_SECRET, cfg.CALLER_NUMBER_KEY, cfg.CALLER_NUMBER_ENCRYPTION_KEY]).toEqual([
      keys.JWT_SECRET,
      keys.CALLER_NUMBER_KEY,
      keys.CALLER_NUMBER_ENCRYPTION_KEY,
    ]);
  });

  it("recovers a dead router's jobs within seconds by default, and refuses a lock under a second", () => {
    const cfg = validateConfig(base);
    expect([cfg.ROUTER_JOB_LOCK_SECONDS, cfg.ROUTER_STALLED_CHECK_SECONDS]).toEqual([5, 1]);
    expect(refusal({ ...base, ROUTER_JOB_LOCK_SECONDS: '0.5' })).toMatch(/ROUTER_JOB_LOCK_SECONDS/);
    expect(refusal({ ...base, ROUTER_STALLED_CHECK_SECONDS: '0' })).toMatch(/ROUTER_STALLED_CHECK_SECONDS/);
  });

  it('leaves /metrics to this machine and the router without a port unless told otherwise', () => {
    const cfg = validateConfig(base);
    expect([cfg.METRICS_TOKEN, cfg.ROUTER_METRICS_PORT]).toEqual([undefined, undefined]);
    const told = validateConfig({ ...base, METRICS_TOKEN: 'a'.repeat(16) + 'bcdef', ROUTER_METRICS_PORT: '9464' });
    expect([told.METRICS_TOKEN, told.ROUTER_METRICS_PORT]).toEqual(['a'.repeat(16) + 'bcdef', 9464]);
    expect(refusal({ ...base, METRICS_TOKEN: 'short' })).toMatch(/METRICS_TOKEN: must be at least 16 characters/);
    expect(refusal({ ...base, METRICS_TOKEN: '' })).toMatch(/METRICS_TOKEN/);
    expect(refusal({ ...base, ROUTER_METRICS_PORT: 'x' })).toMatch(/ROUTER_METRICS_PORT/);
  });

  it('names the bad variable', () => {
    expect(() => validateConfig({ ...base, PORT: 'abc' })).toThrow(/PORT/);
    expect(() => validateConfig({ ...base, REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => validateConfig({ ...keys, REDIS_URL: base.REDIS_URL })).toThrow(/DATABASE_URL/);
  });

  describe('never invents a key', () => {
    it.each(['development', 'test', 'production'])('refuses each missing key by name (NODE_ENV=%s)', (NODE_ENV) => {
      const message = refusal({ ...urls, NODE_ENV });
      for (const name of SECRET_NAMES) expect(message).toMatch(new RegExp(`${name}: required`));
      expect(message).toContain('openssl rand -hex 32');
    });

    it.each(SECRET_NAMES)('refuses a missing or empty %s alone, naming only it', (name) => {
      const { [name]: _, ...others } = base;
      for (const env of [others, { ...others, [name]: '' }]) {
        const message = refusal(env);
        expect(message).toMatch(new RegExp(`${name}: required`));
        for (const other of SECRET_NAMES.filter((n) => n !== name)) expect(message).not.toContain(other);
      }
    });

    it('names every problem at once, with a bad setting next to a missing key', () => {
      const { JWT_SECRET: _, ...noJwt } = base;
      const message = refusal({ ...noJwt, PORT: 'abc' });
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/JWT_SECRET: required/);
    });
  });

  describe('strength of JWT_SECRET and CALLER_NUMBER_KEY', () => {
    const weak = {
      'a 16-character repeated letter (accepted before)': 'a'.repeat(16),
      'a long repeated letter': 'x'.repeat(100),
      'a repeated pair, hex': 'ab'.repeat(32),
      'a repeated pattern of 16 different characters': '0123456789abcdef'.repeat(4),
      'a repeated word': 'password'.repeat(10),
      'too short: 31 random bytes as hex': randomBytes(31).toString('hex'),
      'too short: 31 random bytes as base64': randomBytes(31).toString('base64'),
      'a short sentence': 'this is my hotline secret!',
    };
    it.each(Object.entries(weak))('refuses %s', (_, value) => {
      expect(refusal({ ...base, JWT_SECRET: value })).toMatch(/JWT_SECRET: must be at least 32 random bytes/);
      expect(refusal({ ...base, CALLER_NUMBER_KEY: value })).toMatch(
        /CALLER_NUMBER_KEY: must be at least 32 random bytes/,
      );
    });

    const strong = {
      '32 random bytes as hex (openssl rand -hex 32)': randomBytes(32).toString('hex'),
      '32 random bytes as base64 (openssl rand -base64 32)': randomBytes(32).toString('base64'),
      '32 random bytes as base64url': randomBytes(32).toString('base64url'),
      '48 random bytes as hex': randomBytes(48).toString('hex'),
      'a long passphrase': 'Kapok hotline: rotate me every spring, 7 words + digits 4821 & punctuation!!',
    };
    it.each(Object.entries(strong))('accepts %s', (_, value) => {
      const cfg = validateConfig({ ...base, JWT_SECRET: value, CALLER_NUMBER_KEY: value });
      expect([cfg.JWT_SECRET, cfg.CALLER_NUMBER_KEY]).toEqual([value, value]);
    });
  });

  describe('CALLER_NUMBER_ENCRYPTION_KEY', () => {
    it('refuses a key that is not 32 bytes, or 32 bytes of a repeated pattern', () => {
      expect(refusal({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: 'short' })).toMatch(
        /CALLER_NUMBER_ENCRYPTION_KEY: must be 32 bytes/,
      );
      expect(refusal({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: randomBytes(31).toString('hex') })).toMatch(
        /CALLER_NUMBER_ENCRYPTION_KEY: must be 32 bytes/,
      );
      expect(refusal({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: 'ab'.repeat(32) })).toMatch(
        /CALLER_NUMBER_ENCRYPTION_KEY: must be 32 random bytes/,
      );
      expect(refusal({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: '00112233'.repeat(8) })).toMatch(
        /CALLER_NUMBER_ENCRYPTION_KEY: must be 32 random bytes/,
      );
    });
    it('accepts 32 random bytes as hex or base64', () => {
      for (const value of [randomBytes(32).toString('hex'), randomBytes(32).toString('base64')]) {
        expect(validateConfig({ ...base, CALLER_NUMBER_ENCRYPTION_KEY: value }).CALLER_NUMBER_ENCRYPTION_KEY).toBe(
          value,
        );
      }
    });
  });

  describe('the development values once built into Kapok', () => {
    const published = SECRET_NAMES.flatMap((name) => PUBLISHED_DEVELOPMENT_KEYS[name].map((value) => [name, value]));
    it('are listed, each of the three keys', () => {
      expect(PUBLISHED_DEVELOPMENT_KEYS.JWT_SECRET).toContain('kapok-development-secret-not-for-production');
      expect(PUBLISHED_DEVELOPMENT_KEYS.CALLER_NUMBER_KEY).toContain('kapok-development-caller-key');
      expect(PUBLISHED_DEVELOPMENT_KEYS.CALLER_NUMBER_ENCRYPTION_KEY).toContain(
        '6b61706f6b2d646576656c6f706d656e742d6f6e6c792d6e6f742d7365637265',
      );
    });
    it.each(published)('%s=%s is refused as published', (name, value) => {
      expect(refusal({ ...base, [name]: value })).toMatch(new RegExp(`${name}: is a published development value`));
    });
    it.each(published)('%s: %s is refused in any of the three variables', (_, value) => {
      for (const name of SECRET_NAMES) {
        expect(refusal({ ...base, [name]: value })).toMatch(new RegExp(`${name}: is a published development value`));
      }
    });
  });

  describe('DEMO', () => {
    it('is refused with NODE_ENV=production, naming DEMO', () => {
      for (const DEMO of ['true', '1', 'yes']) {
        expect(refusal({ ...base, NODE_ENV: 'production', DEMO })).toMatch(
          /DEMO: must not be true when NODE_ENV=production/,
        );
      }
    });
    it('is allowed outside production, and DEMO=false in production', () => {
      expect(validateConfig({ ...base, NODE_ENV: 'development', DEMO: 'true' }).DEMO).toBe(true);
      expect(validateConfig({ ...base, NODE_ENV: 'test', DEMO: 'true' }).DEMO).toBe(true);
      expect(validateConfig({ ...base, NODE_ENV: 'production', DEMO: 'false' }).DEMO).toBe(false);
      expect(validateConfig({ ...base, NODE_ENV: 'production' }).DEMO).toBeUndefined();
    });
  });

  it('generateKey makes 64 hex characters, different every time, that validateConfig accepts', () => {
    const made = new Set(Array.from({ length: 50 }, () => generateKey()));
    expect(made.size).toBe(50);
    for (const key of made) {
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(() =>
        validateConfig({ ...urls, JWT_SECRET: key, CALLER_NUMBER_KEY: key, CALLER_NUMBER_ENCRYPTION_KEY: key }),
      ).not.toThrow();
    }
  });
});

describe('WeChat settings', () => {
  const account = {
    appId: 'wx0123456789abcdef',
    token: 'T0k3nT0k3nT0k3nT0k3n',
    encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    secret: '0123456789abcdef0123456789abcdef',
    hotlineNumber: '020-8100-0001',
  };

  it('leaves the adapter off and calls the real API unless told otherwise', () => {
    const cfg = validateConfig(base);
    expect(cfg.WECHAT_ACCOUNTS).toEqual([]);
    expect(cfg.WECHAT_API_BASE_URL).toBe('https://api.weixin.qq.com');
  });

  it('reads accounts from JSON and a stand-in on this machine', () => {
    const cfg = validateConfig({
      ...base,
      WECHAT_ACCOUNTS: JSON.stringify([account]),
      WECHAT_API_BASE_URL: 'http://127.0.0.1:4010/',
    });
    expect(cfg.WECHAT_ACCOUNTS).toEqual([account]);
    expect(cfg.WECHAT_API_BASE_URL).toBe('http://127.0.0.1:4010');
  });

  it('refuses weak or malformed accounts by name, and plain http elsewhere', () => {
    const accounts = (a: object) => JSON.stringify([{ ...account, ...a }]);
    expect(refusal({ ...base, WECHAT_ACCOUNTS: '{not json' })).toMatch(/WECHAT_ACCOUNTS: must be a JSON array/);
    expect(refusal({ ...base, WECHAT_ACCOUNTS: accounts({ token: 'short' }) })).toMatch(/WECHAT_ACCOUNTS\.0\.token/);
    expect(refusal({ ...base, WECHAT_ACCOUNTS: accounts({ encodingAesKey: 'x' }) })).toMatch(/encodingAesKey/);
    expect(refusal({ ...base, WECHAT_ACCOUNTS: accounts({ secret: undefined }) })).toMatch(/secret/);
    expect(refusal({ ...base, WECHAT_ACCOUNTS: accounts({ extra: 1 }) })).toMatch(/WECHAT_ACCOUNTS/);
    expect(refusal({ ...base, WECHAT_ACCOUNTS: JSON.stringify([account, account]) })).toMatch(/each appId/);
    expect(refusal({ ...base, WECHAT_API_BASE_URL: 'http://api.weixin.qq.com' })).toMatch(/WECHAT_API_BASE_URL/);
    expect(refusal({ ...base, WECHAT_API_BASE_URL: 'https://x/cgi-bin' })).toMatch(/WECHAT_API_BASE_URL/);
  });
});
