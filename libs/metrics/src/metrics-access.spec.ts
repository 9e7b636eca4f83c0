import { metricsAccess } from './metrics-access';

const TOKEN = 'a-metrics-token-0123456789';
const req = (remoteAddress: string | undefined, headers: Record<string, string> = {}) => ({ headers, remoteAddress });

describe('metricsAccess', () => {
  describe('without METRICS_TOKEN: this machine only', () => {
    it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('serves a client on loopback (%s)', (address) => {
      expect(metricsAccess(req(address), undefined)).toEqual({ ok: true });
    });
    it.each(['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', 'fe80::1', '', undefined])(
      'refuses another address (%s) with 403',
      (address) => {
        expect(metricsAccess(req(address), undefined)).toMatchObject({ ok: false, status: 403 });
      },
    );
    it.each(['x-forwarded-for', 'forwarded', 'x-real-ip'])(
      'refuses a loopback request that came through a proxy (%s)',
      (header) => {
        expect(metricsAccess(req('127.0.0.1', { [header]: '203.0.113.9' }), undefined)).toMatchObject({
          ok: false,
          status: 403,
        });
      },
    );
  });

  describe('with METRICS_TOKEN: the token, from anywhere', () => {
    it('serves the right Bearer token from any address', () => {
      for (const address of ['127.0.0.1', '10.0.0.5']) {
        expect(metricsAccess(req(address, { authorization: `Bearer ${TOKEN}` }), TOKEN)).toEqual({ ok: true });
      }
    });
    it.each([
      ['no header', {}],
      ['another token', { authorization: 'Bearer another-token-0123456789' }],
      ['the token without Bearer', { authorization: TOKEN }],
      ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
      ['Basic', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }],
    ])('refuses %s with 401, even from loopback', (_, headers) => {
      expect(metricsAccess(req('127.0.0.1', headers as Record<string, string>), TOKEN)).toMatchObject({
        ok: false,
        status: 401,
      });
    });
  });
});
