import { validateConfig } from './config.schema';

const base = { DATABASE_URL: 'postgres://localhost/k', REDIS_URL: 'redis://localhost:6379' };

describe('validateConfig', () => {
  it('applies documented defaults', () => {
    const cfg = validateConfig(base);
    expect(cfg.PORT).toBe(3000);
    expect(cfg.OFFER_TIMEOUT_SECONDS).toBe(20);
    expect(cfg.JWT_SECRET.length).toBeGreaterThanOrEqual(16);
  });
  it('names the bad variable', () => {
    expect(() => validateConfig({ ...base, PORT: 'abc' })).toThrow(/PORT/);
    expect(() => validateConfig({ ...base, REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => validateConfig({ REDIS_URL: base.REDIS_URL })).toThrow(/DATABASE_URL/);
  });
  it('requires a real JWT secret in production', () => {
    expect(() => validateConfig({ ...base, NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => validateConfig({ ...base, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });
});
