import { TestStation, createStation } from '../support/fixtures';
import { Stack, api, login, startStack } from '../support/stack';

/** The admins' read-only BullMQ dashboard (bull-board) at /api/admin/queues: who may open it, and how. */

const BOARD = '/api/admin/queues';

describe('the queue dashboard (bull-board) behind admin auth', () => {
  let stack: Stack;
  let st: TestStation;
  let adminToken: string;
  let operatorToken: string;

  const get = async (path: string, headers: Record<string, string> = {}, method = 'GET') => {
    const res = await fetch(`${stack.url}${path}`, { method, headers, redirect: 'manual' });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  /** The dashboard cookie a Set-Cookie header sets, as a Cookie header. */
  const cookieOf = (headers: Headers): string => {
    const set = headers.get('set-cookie') ?? '';
    const m = /^(kapok_queues=[^;]+)/.exec(set);
    if (!m) throw new Error(`no dashboard cookie in ${set}`);
    return m[1];
  };

  beforeAll(async () => {
    stack = await startStack();
    st = await createStation(stack.app, 1);
    const admin = await st.user('admin', st.cityId);
    adminToken = await login(stack.url, admin.username);
    operatorToken = await login(stack.url, st.operators[0].username);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('is refused without a token (401) and to anyone but an admin (403), page and API alike', async () => {
    for (const path of [`${BOARD}/`, `${BOARD}/api/queues`, `${BOARD}/static/images/logo.svg`]) {
      expect([path, (await get(path)).status]).toEqual([path, 401]);
      expect([path, (await get(path, bearer(operatorToken))).status]).toEqual([path, 403]);
      expect([path, (await get(path, { cookie: 'kapok_queues=forged' })).status]).toEqual([path, 401]);
    }
    const open = await api(stack.url, 'POST', '/admin/queues/session', { token: operatorToken });
    expect(open.status).toBe(403);
    expect(open.headers.get('set-cookie')).toBeNull();
  });

  it("serves an admin's Bearer token: the routing queue, read-only (no pause, no retry, no clean)", async () => {
    const res = await get(`${BOARD}/api/queues`, bearer(adminToken));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.queues).toHaveLength(1);
    expect(body.queues[0]).toMatchObject({ name: 'routing', readOnlyMode: true, allowRetries: false, isPaused: false });
    const pause = await get(`${BOARD}/api/queues/routing/pause`, bearer(adminToken), 'PUT');
    expect(pause.status).toBe(405);
    const clean = await get(`${BOARD}/api/queues/routing/clean/failed`, bearer(adminToken), 'PUT');
    expect(clean.status).toBe(405);
    await get(`${BOARD}/api/queues/pause`, bearer(adminToken), 'PUT'); // "pause all" skips read-only queues
    const after = JSON.parse((await get(`${BOARD}/api/queues`, bearer(adminToken))).text);
    expect(after.queues[0].isPaused).toBe(false);
  });

  it('opens in a browser with the cookie POST …/session sets (HttpOnly, SameSite=Lax, for the dashboard only)', async () => {
    const open = await api(stack.url, 'POST', '/admin/queues/session', { token: adminToken });
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({ url: `${BOARD}/`, readOnly: true });
    const set = open.headers.get('set-cookie')!;
    expect(set).toMatch(/^kapok_queues=/);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).toMatch(new RegExp(`Path=${BOARD}(;|$)`));
    expect(set).toMatch(/Max-Age=1800/);
    expect(set).not.toContain(adminToken); // sealed, not the token
    const cookie = cookieOf(open.headers);
    const page = await get(`${BOARD}/`, { cookie });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain(`<base href="${BOARD}/"`);
    expect((await get(`${BOARD}/api/queues`, { cookie })).status).toBe(200);
    // the pass is no access token: the API refuses it
    const value = cookie.slice('kapok_queues='.length);
    expect((await api(stack.url, 'GET', '/me', { token: decodeURIComponent(value) })).status).toBe(401);
    // removed on request
    const closed = await api(stack.url, 'DELETE', '/admin/queues/session');
    expect(closed.status).toBe(204);
    expect(closed.headers.get('set-cookie')).toMatch(/^kapok_queues=;/);
  });

  it('opens from a one-time link (for a token that came from curl), once', async () => {
    const open = await api(stack.url, 'POST', '/admin/queues/session', { token: adminToken });
    const link: string = open.body.openUrl;
    expect(link.startsWith(`${BOARD}/session/`)).toBe(true);
    expect(Date.parse(open.body.openUrlExpiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const first = await get(link);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`${BOARD}/`);
    expect((await get(`${BOARD}/`, { cookie: cookieOf(first.headers) })).status).toBe(200);
    expect((await get(link)).status).toBe(401); // used
    expect((await get(`${BOARD}/session/${'A'.repeat(120)}`)).status).toBe(401);
  });

  it('is closed as soon as the admin signs out, cookie or not', async () => {
    const admin = await st.user('admin', st.cityId);
    const token = await login(stack.url, admin.username);
    const open = await api(stack.url, 'POST', '/admin/queues/session', { token });
    const cookie = cookieOf(open.headers);
    expect((await get(`${BOARD}/`, { cookie })).status).toBe(200);
    expect((await api(stack.url, 'POST', '/auth/logout', { token })).status).toBe(204);
    expect((await get(`${BOARD}/`, { cookie })).status).toBe(401);
    expect((await get(`${BOARD}/api/queues`, bearer(token))).status).toBe(401);
    expect((await get(open.body.openUrl)).status).toBe(401);
  });
});
