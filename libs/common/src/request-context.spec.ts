import { currentRequestId, requestIdFrom, withRequestId } from './request-context';

describe('request context', () => {
  it('takes a sane X-Request-Id as it is and replaces anything else', () => {
    expect(requestIdFrom('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(65), 'id\nforged line', ['a'], '13812345678"}']) {
      const id = requestIdFrom(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('carries the id through awaits, and not outside', async () => {
    expect(currentRequestId()).toBeUndefined();
    const seen = await withRequestId('req-1', async () => {
      await new Promise((r) => setTimeout(r, 5));
      return currentRequestId();
    });
    expect(seen).toBe('req-1');
    expect(currentRequestId()).toBeUndefined();
    expect(withRequestId(undefined, () => currentRequestId())).toBeUndefined();
  });
});
