import { createHmac, randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { Db } from '../../libs/database/src';
import { AgentClient, Stack, api as rawApi, login, sleep, startStack } from '../support/stack';
import { PASSWORD, TestStation, contactRow, createStation } from '../support/fixtures';

/**
 * Auth, scope and input validation at the public surface (contract header: 400 naming the fields, 401, 403,
 * 404 unknown or outside scope, 409 state conflict, never a 5xx). Every HTTP answer in this file goes through
 * `api`, which fails the test at once on any 5xx.
 */

const OUTCOME = {
  serviceTypes: ['emotional_support'],
  targetGroup: 'elderly',
  summary: '来电者情绪低落，倾听并安排回访。',
  problems: [{ category: 'emotional', resolution: 'resolved' }],
};

const NOT_UUIDS = ['123', 'not-a-uuid', '00000000-0000-0000-0000-00000000000g', "1' OR '1'='1", 'x'.repeat(300)];

/** The `message` of an error answer as text (Nest gives a string or, for validation, an array of strings). */
const messageOf = (res: { body: any }) =>
  typeof res.body?.message === 'string' ? res.body.message : JSON.stringify(res.body?.message ?? '');

describe('auth, scope and input validation (HTTP + socket.io, real Postgres and Redis)', () => {
  let stack: Stack;
  let st: TestStation;
  let db: Db;
  const clients: AgentClient[] = [];
  const serverErrors: string[] = [];

  /** Every request of this file: any 5xx fails the test on the spot (and again in afterEach). */
  const api: typeof rawApi = async (url, method, path, opts) => {
    const res = await rawApi(url, method, path, opts);
    if (res.status >= 500) {
      serverErrors.push(`${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`);
      throw new Error(`5xx from ${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
    }
    return res;
  };

  const agent = async (station: TestStation, i: number) => {
    const c = await AgentClient.connect(stack.url, await login(stack.url, station.operators[i].username));
    clients.push(c);
    return c;
  };
  const intake = (body: Record<string, unknown> = {}, station = st) =>
    api(stack.url, 'POST', '/contacts', {
      key: station.intakeKey,
      body: { hotlineNumber: station.hotlineNumber, channel: 'phone', callerNumber: '13812345678', ...body },
    });
  const countContacts = async (station = st) =>
    (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM contacts WHERE station_id = $1', [station.stationId]))!
      .n;
  const countOutcomes = async (contactId: string) =>
    (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM outcomes WHERE contact_id = $1', [contactId]))!.n;

  /** A contact answered by operator `i` of `st`: `active`, assigned to them. */
  const activeContact = async (i = 0) => {
    const op = await agent(st, i);
    await op.available();
    const created = await intake();
    expect(created.status).toBe(201);
    const offer = await op.next('contact:offer');
    expect(offer.contact.id).toBe(created.body.id);
    const ack = await op.emit('offer:accept', { offerId: offer.offerId });
    expect(ack.ok).toBe(true);
    const token = await login(stack.url, st.operators[i].username);
    return { id: created.body.id as string, op, token };
  };

  /** Connects a raw /agent socket: whether it connected, or the message of its connect_error. */
  const tryConnect = (auth: Record<string, unknown> | undefined) =>
    new Promise<{ connected: boolean; error?: string }>((resolve, reject) => {
      const socket = io(`${stack.url}/agent`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error('neither connect nor connect_error within 15 s'));
      }, 15_000);
      socket.on('connect', () => {
        clearTimeout(timer);
        socket.close();
        resolve({ connected: true });
      });
      socket.on('connect_error', (err) => {
        clearTimeout(timer);
        socket.close();
        resolve({ connected: false, error: err.message });
      });
    });

  beforeAll(async () => {
    stack = await startStack();
    db = stack.app.get(Db);
  });
  beforeEach(async () => {
    st = await createStation(stack.app, 2);
  });
  afterEach(() => {
    clients.splice(0).forEach((c) => c.close());
    expect(serverErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await sleep(100);
    await stack?.close();
  });

  describe('sign-in and tokens', () => {
    it('a wrong password is 401', async () => {
      const res = await api(stack.url, 'POST', '/auth/login', {
        body: { username: st.operators[0].username, password: 'not-the-password' },
      });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401 });
      expect(res.body.accessToken).toBeUndefined();
    });

    it('an unknown user is 401 (the same answer as a wrong password)', async () => {
      const res = await api(stack.url, 'POST', '/auth/login', {
        body: { username: `nobody-${randomUUID()}`, password: PASSWORD },
      });
      expect(res.status).toBe(401);
      const wrong = await api(stack.url, 'POST', '/auth/login', {
        body: { username: st.operators[0].username, password: 'not-the-password' },
      });
      expect(res.body.message).toBe(wrong.body.message);
    });

    it('a login body of the wrong shape is 400 naming the fields, never 5xx', async () => {
      const res = await api(stack.url, 'POST', '/auth/login', { body: { username: 5 } });
      expect(res.status).toBe(400);
      expect(messageOf(res)).toContain('username');
      expect(messageOf(res)).toContain('password');
      const arr = await api(stack.url, 'POST', '/auth/login', { body: [] });
      expect(arr.status).toBe(400);
    });

    it('GET /api/me without a token is 401', async () => {
      const res = await api(stack.url, 'GET', '/me');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401 });
      const notBearer = await api(stack.url, 'GET', '/me', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
      expect(notBearer.status).toBe(401);
      const emptyBearer = await api(stack.url, 'GET', '/me', { headers: { authorization: 'Bearer ' } });
      expect(emptyBearer.status).toBe(401);
    });

    it('garbage and tampered tokens are 401', async () => {
      const good = await login(stack.url, st.operators[0].username);
      expect((await api(stack.url, 'GET', '/me', { token: good })).status).toBe(200);

      const [header, payload, signature] = good.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const admin = await st.user('admin');
      const tokens = {
        garbage: 'garbage',
        threeParts: 'abc.def.ghi',
        // the payload changed to another (admin) user, the signature kept
        tampered: `${header}.${b64({ ...claims, sub: admin.id, role: 'admin' })}.${signature}`,
        // the signature changed
        badSignature: `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
        // alg none
        unsigned: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: admin.id })}.`,
        // signed with another secret
        otherSecret: (() => {
          const body = `${header}.${b64({ ...claims, sub: admin.id, role: 'admin' })}`;
          return `${body}.${createHmac('sha256', 'some-other-secret-0123456789').update(body).digest('base64url')}`;
        })(),
        latin1: 'é.é.é',
        huge: 'a'.repeat(8000),
      };
      for (const [name, token] of Object.entries(tokens)) {
        const res = await api(stack.url, 'GET', '/me', { token });
        expect({ name, status: res.status }).toEqual({ name, status: 401 });
      }
    });

    it('a valid signature for a user that does not exist is 401', async () => {
      const { JwtService } = await import('@nestjs/jwt');
      const token = await stack.app.get(JwtService).signAsync({ sub: randomUUID(), role: 'admin' });
      expect((await api(stack.url, 'GET', '/me', { token })).status).toBe(401);
      const noSub = await stack.app.get(JwtService).signAsync({ role: 'admin' });
      expect((await api(stack.url, 'GET', '/me', { token: noSub })).status).toBe(401);
      const objectSub = await stack.app.get(JwtService).signAsync({ sub: { id: 1 }, role: 'admin' });
      expect((await api(stack.url, 'GET', '/me', { token: objectSub })).status).toBe(401);
    });

    // Only a token signed with the server's secret can carry such a sub; it must still be a 401, not a 5xx.
    it('a validly signed token whose sub is not a UUID is 401', async () => {
      const { JwtService } = await import('@nestjs/jwt');
      const token = await stack.app.get(JwtService).signAsync({ sub: 'not-a-uuid', role: 'admin' });
      const res = await rawApi(stack.url, 'GET', '/me', { token });
      expect(res.status).toBe(401);
    });

    it('NUL characters and absurd nesting in the login body are 400, not 5xx', async () => {
      const nul = await api(stack.url, 'POST', '/auth/login', { body: { username: 'a\u0000b', password: 'x' } });
      expect(nul.status).toBe(400);
      expect(messageOf(nul)).toContain('username');
      const deep = '['.repeat(20000) + ']'.repeat(20000);
      const nested = await api(stack.url, 'POST', '/auth/login', {
        raw: `{"username":"a","password":"b","x":${deep}}`,
      });
      expect(nested.status).toBe(400);
    });

    it('an expired token is 401', async () => {
      const { JwtService } = await import('@nestjs/jwt');
      const token = await stack.app
        .get(JwtService)
        .signAsync({ sub: st.operators[0].id, role: 'operator' }, { expiresIn: -10 });
      expect((await api(stack.url, 'GET', '/me', { token })).status).toBe(401);
    });
  });

  describe('intake key', () => {
    it('POST /api/contacts without X-Api-Key is 401 and writes nothing', async () => {
      const before = await countContacts();
      const res = await api(stack.url, 'POST', '/contacts', {
        body: { hotlineNumber: st.hotlineNumber, channel: 'phone' },
      });
      expect(res.status).toBe(401);
      expect(await countContacts()).toBe(before);
    });

    it('POST /api/contacts with a wrong X-Api-Key is 401 and writes nothing', async () => {
      const before = await countContacts();
      for (const key of ['wrong-key', `${st.intakeKey}x`, ' ', 'x'.repeat(5000)]) {
        const res = await api(stack.url, 'POST', '/contacts', {
          key,
          body: { hotlineNumber: st.hotlineNumber, channel: 'phone' },
        });
        expect({ key: key.slice(0, 20), status: res.status }).toEqual({ key: key.slice(0, 20), status: 401 });
      }
      expect(await countContacts()).toBe(before);
    });

    it('a user token is not an intake key: 401 on POST /api/contacts', async () => {
      const token = await login(stack.url, st.operators[0].username);
      const before = await countContacts();
      const res = await api(stack.url, 'POST', '/contacts', {
        token,
        body: { hotlineNumber: st.hotlineNumber, channel: 'phone' },
      });
      expect(res.status).toBe(401);
      expect(await countContacts()).toBe(before);
    });

    it('another gateway’s intake key cannot end or abandon the contact (404: outside its scope)', async () => {
      const other = await createStation(stack.app, 1);
      const created = await intake();
      const abandon = await api(stack.url, 'POST', `/contacts/${created.body.id}/abandon`, { key: other.intakeKey });
      expect(abandon.status).toBe(404);
      const end = await api(stack.url, 'POST', `/contacts/${created.body.id}/end`, { key: other.intakeKey });
      expect(end.status).toBe(404);
      expect((await contactRow(stack.app, created.body.id))!.status).toBe('queued');
    });
  });

  describe('scope and roles on contacts', () => {
    it('an operator reading a contact of ANOTHER station gets 404', async () => {
      const created = await intake();
      const other = await createStation(stack.app, 1);
      const token = await login(stack.url, other.operators[0].username);
      const res = await api(stack.url, 'GET', `/contacts/${created.body.id}`, { token });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404 });
      // the same answer as an id that does not exist
      const ghost = await api(stack.url, 'GET', `/contacts/${randomUUID()}`, { token });
      expect(ghost.status).toBe(404);
      expect(res.body.message).toBe(ghost.body.message);
      // and the operator of the right station does see it
      const own = await api(stack.url, 'GET', `/contacts/${created.body.id}`, {
        token: await login(stack.url, st.operators[0].username),
      });
      expect(own.status).toBe(200);
    });

    it('an operator of another station posting the outcome or ending gets 404, nothing changes', async () => {
      const { id } = await activeContact(0);
      const other = await createStation(stack.app, 1);
      const token = await login(stack.url, other.operators[0].username);
      expect((await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token, body: OUTCOME })).status).toBe(404);
      expect((await api(stack.url, 'POST', `/contacts/${id}/end`, { token })).status).toBe(404);
      expect((await contactRow(stack.app, id))!.status).toBe('active');
      expect(await countOutcomes(id)).toBe(0);
    });

    it('an operator of the same station who is not assigned posting the outcome gets 403', async () => {
      const { id } = await activeContact(0);
      const token = await login(stack.url, st.operators[1].username);
      // they may read it (same station) …
      expect((await api(stack.url, 'GET', `/contacts/${id}`, { token })).status).toBe(200);
      // … but not record its outcome
      const res = await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token, body: OUTCOME });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403 });
      expect((await contactRow(stack.app, id))!.status).toBe('active');
      expect(await countOutcomes(id)).toBe(0);
    });

    it('a coordinator of the station (in scope, not assigned) posting the outcome gets 403', async () => {
      const { id } = await activeContact(0);
      const coordinator = await st.user('coordinator', st.districtId);
      const token = await login(stack.url, coordinator.username);
      expect((await api(stack.url, 'GET', `/contacts/${id}`, { token })).status).toBe(200);
      expect((await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token, body: OUTCOME })).status).toBe(403);
      expect(await countOutcomes(id)).toBe(0);
    });

    it('the assigned operator’s second outcome is 409 and the first one stays', async () => {
      const { id, token } = await activeContact(0);
      const first = await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token, body: OUTCOME });
      expect(first.status).toBe(201);
      const second = await api(stack.url, 'POST', `/contacts/${id}/outcome`, {
        token,
        body: { ...OUTCOME, summary: 'a different summary' },
      });
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ statusCode: 409 });
      expect(await countOutcomes(id)).toBe(1);
      const read = await api(stack.url, 'GET', `/contacts/${id}`, { token });
      expect(read.body.outcome.summary).toBe(OUTCOME.summary);
    });

    // The contract names who may record an outcome ("the assigned operator"; "another operator → 403") and when
    // ("allowed in active or wrap_up"; 409 "the state does not allow it now"). Who is checked first: the state is
    // only a question for the person entitled to act. A queued contact has no assigned operator, so nobody is
    // entitled and every operator asking is "another operator": 403. (Once assigned, the assignee gets 409 until
    // the contact is answered: the next test.) The scope check comes before both: outside the scope it is 404.
    it('an outcome on a queued contact (nobody assigned yet) by an operator of the station is 403', async () => {
      const created = await intake();
      const token = await login(stack.url, st.operators[0].username);
      const res = await api(stack.url, 'POST', `/contacts/${created.body.id}/outcome`, { token, body: OUTCOME });
      expect(res.status).toBe(403);
      expect((await contactRow(stack.app, created.body.id))!.status).toBe('queued');
      expect(await countOutcomes(created.body.id)).toBe(0);
    });

    it('an outcome on a contact offered to (not yet accepted by) the operator is 409 (assigned, wrong state)', async () => {
      const op = await agent(st, 0);
      await op.available();
      const created = await intake();
      await op.next('contact:offer');
      const token = await login(stack.url, st.operators[0].username);
      const res = await api(stack.url, 'POST', `/contacts/${created.body.id}/outcome`, { token, body: OUTCOME });
      expect(res.status).toBe(409);
      expect((await contactRow(stack.app, created.body.id))!.status).toBe('offered');
      expect(await countOutcomes(created.body.id)).toBe(0);
    });
  });

  describe('operator socket /agent: connect', () => {
    it('connecting with no token is refused (connect_error)', async () => {
      const none = await tryConnect(undefined);
      expect(none.connected).toBe(false);
      expect(none.error).toMatch(/unauthorized/i);
      expect((await tryConnect({})).connected).toBe(false);
    });

    it('connecting with a bad token is refused (connect_error)', async () => {
      for (const token of ['garbage', 'abc.def.ghi', 42, { token: 'x' }, '']) {
        const res = await tryConnect({ token });
        expect({ token, connected: res.connected }).toEqual({ token, connected: false });
      }
    });

    it('a coordinator token on /agent is refused (operators only)', async () => {
      const coordinator = await st.user('coordinator', st.districtId);
      const res = await tryConnect({ token: await login(stack.url, coordinator.username) });
      expect(res.connected).toBe(false);
      expect(res.error).toMatch(/forbidden|operator/i);
      // while an operator's token is accepted
      expect((await tryConnect({ token: await login(stack.url, st.operators[0].username) })).connected).toBe(true);
    });
  });

  describe('bad input on POST /api/contacts: 400 naming the field, nothing written', () => {
    const valid = () => ({ hotlineNumber: st.hotlineNumber, channel: 'phone' });
    const deepBody = (field: string, json: string) =>
      `{"hotlineNumber":"${st.hotlineNumber}","channel":"phone","${field}":${json}}`;
    const cases: [string, () => Record<string, unknown>, string][] = [
      ['missing hotlineNumber', () => ({ channel: 'phone' }), 'hotlineNumber'],
      ['missing channel', () => ({ hotlineNumber: st.hotlineNumber }), 'channel'],
      ['unknown channel', () => ({ ...valid(), channel: 'fax' }), 'channel'],
      ['channel: 5', () => ({ ...valid(), channel: 5 }), 'channel'],
      ['hotlineNumber: 12345', () => ({ ...valid(), hotlineNumber: 12345 }), 'hotlineNumber'],
      ['hotlineNumber: {}', () => ({ ...valid(), hotlineNumber: {} }), 'hotlineNumber'],
      ['topics: "x"', () => ({ ...valid(), topics: 'x' }), 'topics'],
      ['topics: [1]', () => ({ ...valid(), topics: [1] }), 'topics'],
      ['topics: [null]', () => ({ ...valid(), topics: [null] }), 'topics'],
      ['unknown riskLevel', () => ({ ...valid(), riskLevel: 'extreme' }), 'riskLevel'],
      ['riskLevel: ["high"]', () => ({ ...valid(), riskLevel: ['high'] }), 'riskLevel'],
      ['callerNumber with letters', () => ({ ...valid(), callerNumber: '138abc45678' }), 'callerNumber'],
      ['callerNumber: number', () => ({ ...valid(), callerNumber: 13812345678 }), 'callerNumber'],
      ['externalId: object', () => ({ ...valid(), externalId: { $ne: 1 } }), 'externalId'],
      ['externalId: empty', () => ({ ...valid(), externalId: '' }), 'externalId'],
      ['language: number', () => ({ ...valid(), language: 7 }), 'language'],
      ['extra unknown property', () => ({ ...valid(), surprise: 1 }), 'surprise'],
    ];
    it.each(cases)('%s → 400 naming the field', async (_name, body, field) => {
      const before = await countContacts();
      const res = await api(stack.url, 'POST', '/contacts', { key: st.intakeKey, body: body() });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(messageOf(res)).toContain(field);
      expect(await countContacts()).toBe(before);
    });

    const raw: [string, () => string, number, RegExp][] = [
      ['a JSON array', () => JSON.stringify([valid()]), 400, /must be a JSON object/],
      ['an empty JSON array', () => '[]', 400, /must be a JSON object/],
      ['null', () => 'null', 400, /must be a JSON object/],
      ['a JSON string', () => '"hello"', 400, /must be a JSON object/],
      ['a JSON number', () => '5', 400, /must be a JSON object/],
      ['malformed JSON', () => '{"hotlineNumber": "x", "channel": ', 400, /Malformed JSON/],
      ['an empty body', () => '', 400, /hotlineNumber.*channel/],
      ['an empty object', () => '{}', 400, /hotlineNumber.*channel/],
      [
        'an oversized body (> 64 kb)',
        () => JSON.stringify({ ...valid(), externalId: 'x'.repeat(70 * 1024) }),
        413,
        /larger than/,
      ],
      [
        'hotlineNumber with a NUL character',
        () => JSON.stringify({ ...valid(), hotlineNumber: 'T-\u0000' }),
        400,
        /hotlineNumber/,
      ],
      [
        'externalId with a NUL character',
        () => JSON.stringify({ ...valid(), externalId: 'a\u0000b' }),
        400,
        /externalId/,
      ],
      [
        'topics with a NUL character',
        () => JSON.stringify({ ...valid(), topics: ['ok', 'a\u0000b'] }),
        400,
        /topics\.1/,
      ],
      ['a property name with a NUL character', () => JSON.stringify({ ...valid(), 'a\u0000b': 1 }), 400, /NUL/],
      [
        'an unknown property nested 20 000 levels deep',
        () => deepBody('x', '['.repeat(20000) + ']'.repeat(20000)),
        400,
        /x(\.0)+ is nested too deeply/,
      ],
      [
        'topics nested 20 000 levels deep',
        () => deepBody('topics', '['.repeat(20000) + ']'.repeat(20000)),
        400,
        /topics/,
      ],
      [
        'an object nested 10 000 levels deep',
        () => deepBody('x', '{"a":'.repeat(10000) + '1' + '}'.repeat(10000)),
        400,
        /nested too deeply/,
      ],
    ];
    it.each(raw)('%s → %i', async (_name, text, status, message) => {
      const before = await countContacts();
      const res = await api(stack.url, 'POST', '/contacts', { key: st.intakeKey, raw: text() });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ statusCode: status });
      expect(messageOf(res)).toMatch(message);
      expect(await countContacts()).toBe(before);
    });

    it('a "__proto__" / "constructor" property neither pollutes nor fails: 400 or 201, never 5xx', async () => {
      for (const extra of ['"__proto__":{"polluted":1}', '"constructor":{"prototype":{"polluted":1}}']) {
        const res = await api(stack.url, 'POST', '/contacts', {
          key: st.intakeKey,
          raw: `{"hotlineNumber":"${st.hotlineNumber}","channel":"phone",${extra}}`,
        });
        expect([201, 400]).toContain(res.status);
        expect(({} as any).polluted).toBeUndefined();
      }
    });

    it('no body and no content-type at all → 400 naming the fields', async () => {
      const before = await countContacts();
      const res = await api(stack.url, 'POST', '/contacts', { key: st.intakeKey });
      expect(res.status).toBe(400);
      expect(messageOf(res)).toContain('hotlineNumber');
      expect(messageOf(res)).toContain('channel');
      expect(await countContacts()).toBe(before);
    });

    /** fetch with the content type given (the api helper always sends application/json). */
    const post = async (contentType: string, body: string) => {
      const res = await fetch(`${stack.url}/api/contacts`, {
        method: 'POST',
        headers: { 'x-api-key': st.intakeKey, 'content-type': contentType },
        body,
      });
      const text = await res.text();
      if (res.status >= 500) serverErrors.push(`POST /contacts (${contentType}) → ${res.status} ${text.slice(0, 300)}`);
      return { status: res.status, body: JSON.parse(text) };
    };

    it('a JSON body sent as text/plain is not read: 400 naming the fields, nothing written', async () => {
      const before = await countContacts();
      const res = await post('text/plain', JSON.stringify(valid()));
      expect(res.status).toBe(400);
      expect(messageOf(res)).toContain('hotlineNumber');
      expect(await countContacts()).toBe(before);
    });

    it('an unsupported charset is 415 and an undecodable encoding 400, in the Nest error shape', async () => {
      const before = await countContacts();
      const charset = await post('application/json; charset=latin1', JSON.stringify(valid()));
      expect(charset.status).toBe(415);
      expect(charset.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
      const gz = await fetch(`${stack.url}/api/contacts`, {
        method: 'POST',
        headers: { 'x-api-key': st.intakeKey, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: 'this is not gzip',
      });
      expect(gz.status).toBe(400);
      expect(await countContacts()).toBe(before);
    });

    it('form bodies get the same checks: NUL → 400, oversized → 413 in the Nest error shape', async () => {
      const before = await countContacts();
      const form = `hotlineNumber=${st.hotlineNumber}&channel=phone`;
      const nul = await post('application/x-www-form-urlencoded', `${form}&externalId=a%00b`);
      expect(nul.status).toBe(400);
      expect(messageOf(nul)).toContain('externalId');
      const big = await post('application/x-www-form-urlencoded', `${form}&externalId=${'x'.repeat(70 * 1024)}`);
      expect(big.status).toBe(413);
      expect(big.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await countContacts()).toBe(before);
    });

    it('several bad fields at once are all named', async () => {
      const res = await api(stack.url, 'POST', '/contacts', {
        key: st.intakeKey,
        body: { channel: 'fax', riskLevel: 'x', topics: 'y' },
      });
      expect(res.status).toBe(400);
      for (const f of ['hotlineNumber', 'channel', 'riskLevel', 'topics']) expect(messageOf(res)).toContain(f);
    });

    it('a valid body is still accepted (the station is writable)', async () => {
      const before = await countContacts();
      const res = await intake({ topics: ['elderly'], riskLevel: 'high', language: 'yue' });
      expect(res.status).toBe(201);
      expect(await countContacts()).toBe(before + 1);
    });
  });

  describe('bad outcome bodies: 400 naming the field, the contact stays active, no outcome row', () => {
    const psych = { riskAssessment: 'low', interventions: ['active_listening'] };
    const aid = { items: [{ category: 'food', description: '大米 10kg', quantity: 1 }] };
    const cases: [string, () => Record<string, unknown>, string][] = [
      ['serviceTypes empty', () => ({ ...OUTCOME, serviceTypes: [] }), 'serviceTypes'],
      ['serviceTypes missing', () => ({ ...OUTCOME, serviceTypes: undefined }), 'serviceTypes'],
      ['serviceTypes a string', () => ({ ...OUTCOME, serviceTypes: 'emotional_support' }), 'serviceTypes'],
      ['unknown service type', () => ({ ...OUTCOME, serviceTypes: ['astrology'] }), 'serviceTypes'],
      [
        'psychological_support without psychological',
        () => ({ ...OUTCOME, serviceTypes: ['psychological_support'] }),
        'psychological',
      ],
      [
        'psychological: null',
        () => ({ ...OUTCOME, serviceTypes: ['psychological_support'], psychological: null }),
        'psychological',
      ],
      ['material_aid without materialAid', () => ({ ...OUTCOME, serviceTypes: ['material_aid'] }), 'materialAid'],
      [
        'materialAid items empty',
        () => ({ ...OUTCOME, serviceTypes: ['material_aid'], materialAid: { items: [] } }),
        'materialAid.items',
      ],
      [
        'quantity 0',
        () => ({
          ...OUTCOME,
          serviceTypes: ['material_aid'],
          materialAid: { items: [{ ...aid.items[0], quantity: 0 }] },
        }),
        'quantity',
      ],
      [
        'quantity negative',
        () => ({
          ...OUTCOME,
          serviceTypes: ['material_aid'],
          materialAid: { items: [{ ...aid.items[0], quantity: -3 }] },
        }),
        'quantity',
      ],
      [
        'quantity a string',
        () => ({
          ...OUTCOME,
          serviceTypes: ['material_aid'],
          materialAid: { items: [{ ...aid.items[0], quantity: '2' }] },
        }),
        'quantity',
      ],
      [
        'unknown aid category',
        () => ({
          ...OUTCOME,
          serviceTypes: ['material_aid'],
          materialAid: { items: [{ ...aid.items[0], category: 'gold' }] },
        }),
        'category',
      ],
      [
        'bad riskAssessment',
        () => ({
          ...OUTCOME,
          serviceTypes: ['psychological_support'],
          psychological: { ...psych, riskAssessment: 'extreme' },
        }),
        'riskAssessment',
      ],
      [
        'interventions not strings',
        () => ({
          ...OUTCOME,
          serviceTypes: ['psychological_support'],
          psychological: { ...psych, interventions: [1] },
        }),
        'interventions',
      ],
      ['bad targetGroup', () => ({ ...OUTCOME, targetGroup: 'aliens' }), 'targetGroup'],
      ['targetGroup missing', () => ({ ...OUTCOME, targetGroup: undefined }), 'targetGroup'],
      ['summary missing', () => ({ ...OUTCOME, summary: undefined }), 'summary'],
      ['followUp.dueAt not a date', () => ({ ...OUTCOME, followUp: { dueAt: 'next tuesday', note: '回访' } }), 'dueAt'],
      [
        'followUp.dueAt impossible date',
        () => ({
          ...OUTCOME,
          followUp: { dueAt: `${new Date().getUTCFullYear() + 1}-02-31T10:00:00+08:00`, note: '回访' },
        }),
        'dueAt',
      ],
      ['followUp a string', () => ({ ...OUTCOME, followUp: 'tomorrow' }), 'followUp'],
      ['problems missing', () => ({ ...OUTCOME, problems: undefined }), 'problems'],
      [
        'problems not an array',
        () => ({ ...OUTCOME, problems: { category: 'x', resolution: 'resolved' } }),
        'problems',
      ],
      ['problems [null]', () => ({ ...OUTCOME, problems: [null] }), 'problems'],
      [
        'bad problem resolution',
        () => ({ ...OUTCOME, problems: [{ category: 'x', resolution: 'maybe' }] }),
        'resolution',
      ],
      ['extra unknown property', () => ({ ...OUTCOME, rating: 5 }), 'rating'],
      ['extra nested property', () => ({ ...OUTCOME, problems: [{ ...OUTCOME.problems[0], extra: 1 }] }), 'extra'],
      ['summary with a NUL character', () => ({ ...OUTCOME, summary: '倾听\u0000' }), 'summary'],
      [
        'problem category with a NUL character',
        () => ({ ...OUTCOME, problems: [{ category: 'a\u0000', resolution: 'resolved' }] }),
        'problems.0.category',
      ],
      [
        'aid description with a NUL character',
        () => ({
          ...OUTCOME,
          serviceTypes: ['material_aid'],
          materialAid: { items: [{ ...aid.items[0], description: '\u0000' }] },
        }),
        'materialAid.items.0.description',
      ],
    ];
    it.each(cases)('%s → 400', async (_name, body, field) => {
      const { id, token } = await activeContact(0);
      const res = await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token, body: body() });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(messageOf(res)).toContain(field);
      expect((await contactRow(stack.app, id))!.status).toBe('active');
      expect(await countOutcomes(id)).toBe(0);
    });

    it.each([
      ['a JSON array', () => JSON.stringify([OUTCOME])],
      ['null', () => 'null'],
      ['malformed JSON', () => '{"serviceTypes": ['],
      ['an empty body', () => ''],
      [
        'followUp nested 10 000 levels deep',
        () => JSON.stringify(OUTCOME).replace(/}$/, `,"followUp":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}`),
      ],
      ['summary with a NUL character', () => JSON.stringify({ ...OUTCOME, summary: 'a\u0000' })],
    ])('%s as the outcome body → 400', async (_name, text) => {
      const { id, token } = await activeContact(0);
      const res = await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token, raw: text() });
      expect(res.status).toBe(400);
      expect((await contactRow(stack.app, id))!.status).toBe('active');
      expect(await countOutcomes(id)).toBe(0);
    });

    it('after all that, a valid outcome with every optional part is accepted', async () => {
      const { id, token } = await activeContact(0);
      const res = await api(stack.url, 'POST', `/contacts/${id}/outcome`, {
        token,
        body: {
          ...OUTCOME,
          serviceTypes: ['psychological_support', 'material_aid'],
          psychological: psych,
          materialAid: aid,
          followUp: { dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), note: '一周后回访' },
        },
      });
      expect(res.status).toBe(201);
      expect((await contactRow(stack.app, id))!.status).toBe('completed');
    });
  });

  describe('ids that are not UUIDs → 400; a random UUID → 404', () => {
    it.each(NOT_UUIDS.map((id) => [id]))('GET /contacts/%s → 400', async (bad) => {
      const token = await login(stack.url, st.operators[0].username);
      const res = await api(stack.url, 'GET', `/contacts/${encodeURIComponent(bad)}`, { token });
      expect(res.status).toBe(400);
      expect(messageOf(res)).toMatch(/uuid/i);
    });

    it('POST /abandon, /end, /outcome with ids that are not UUIDs → 400', async () => {
      const token = await login(stack.url, st.operators[0].username);
      for (const bad of NOT_UUIDS) {
        const path = `/contacts/${encodeURIComponent(bad)}`;
        const abandon = await api(stack.url, 'POST', `${path}/abandon`, { key: st.intakeKey });
        const endByKey = await api(stack.url, 'POST', `${path}/end`, { key: st.intakeKey });
        const endByUser = await api(stack.url, 'POST', `${path}/end`, { token });
        const outcome = await api(stack.url, 'POST', `${path}/outcome`, { token, body: OUTCOME });
        expect({ bad, statuses: [abandon, endByKey, endByUser, outcome].map((r) => r.status) }).toEqual({
          bad,
          statuses: [400, 400, 400, 400],
        });
      }
    });

    it('a random valid UUID → 404 on GET, /abandon, /end and /outcome', async () => {
      const token = await login(stack.url, st.operators[0].username);
      const id = randomUUID();
      const statuses = [
        (await api(stack.url, 'GET', `/contacts/${id}`, { token })).status,
        (await api(stack.url, 'POST', `/contacts/${id}/abandon`, { key: st.intakeKey })).status,
        (await api(stack.url, 'POST', `/contacts/${id}/end`, { key: st.intakeKey })).status,
        (await api(stack.url, 'POST', `/contacts/${id}/end`, { token })).status,
        (await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token, body: OUTCOME })).status,
      ];
      expect(statuses).toEqual([404, 404, 404, 404, 404]);
    });

    it('well-formed UUIDs of other versions (v1, v7, nil) that do not exist are 404, not 400', async () => {
      const token = await login(stack.url, st.operators[0].username);
      for (const id of [
        '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
        '01890a5d-ac96-774b-bcce-b302099a8057',
        '00000000-0000-0000-0000-000000000000',
        randomUUID().toUpperCase(),
      ]) {
        const statuses = [
          (await api(stack.url, 'GET', `/contacts/${id}`, { token })).status,
          (await api(stack.url, 'POST', `/contacts/${id}/abandon`, { key: st.intakeKey })).status,
          (await api(stack.url, 'POST', `/contacts/${id}/end`, { key: st.intakeKey })).status,
          (await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token, body: OUTCOME })).status,
        ];
        expect({ id, statuses }).toEqual({ id, statuses: [404, 404, 404, 404] });
      }
    });

    it('auth is checked before the id: no token with a bad id is 401', async () => {
      expect((await api(stack.url, 'GET', '/contacts/not-a-uuid')).status).toBe(401);
      expect((await api(stack.url, 'POST', '/contacts/not-a-uuid/abandon')).status).toBe(401);
    });
  });

  describe('end', () => {
    it('POST /end on a queued contact → 409, still queued', async () => {
      const created = await intake();
      const res = await api(stack.url, 'POST', `/contacts/${created.body.id}/end`, { key: st.intakeKey });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ statusCode: 409 });
      expect((await contactRow(stack.app, created.body.id))!.status).toBe('queued');
    });

    it('POST /end by an operator who is not assigned → 403 (same station) / 404 (another station)', async () => {
      const { id } = await activeContact(0);
      const same = await api(stack.url, 'POST', `/contacts/${id}/end`, {
        token: await login(stack.url, st.operators[1].username),
      });
      expect(same.status).toBe(403);
      const other = await createStation(stack.app, 1);
      const outside = await api(stack.url, 'POST', `/contacts/${id}/end`, {
        token: await login(stack.url, other.operators[0].username),
      });
      expect(outside.status).toBe(404);
      expect((await contactRow(stack.app, id))!.status).toBe('active');
    });

    it('POST /end by the assigned operator → wrap_up; an unknown key with it is still 401', async () => {
      const { id, token } = await activeContact(0);
      const badKey = await api(stack.url, 'POST', `/contacts/${id}/end`, { key: 'wrong-key', token });
      expect(badKey.status).toBe(401);
      const res = await api(stack.url, 'POST', `/contacts/${id}/end`, { token });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('wrap_up');
    });
  });

  describe('socket payloads on /agent', () => {
    it('offer:accept with bad payloads acks {ok:false, error} and the server stays up', async () => {
      const op = await agent(st, 0);
      const noPayload = await op.socket.timeout(15_000).emitWithAck('offer:accept');
      const payloads: unknown[] = [
        null,
        'x',
        42,
        [],
        ['x'],
        {},
        { offerId: 'x' },
        { offerId: 5 },
        { offerId: randomUUID(), extra: 1 },
      ];
      const acks = [noPayload];
      for (const p of payloads) acks.push(await op.emit('offer:accept', p));
      for (const [i, ack] of acks.entries()) {
        expect({ i, ok: ack.ok, error: typeof ack.error }).toEqual({ i, ok: false, error: 'string' });
        expect(ack.error).not.toBe('internal_error');
      }
      // a well-formed id of an offer that does not exist
      const ghost = await op.emit('offer:accept', { offerId: randomUUID() });
      expect(ghost).toEqual({ ok: false, error: 'offer_not_found' });
      const decline = await op.emit('offer:decline', { offerId: 'x' });
      expect(decline.ok).toBe(false);
      const ghostDecline = await op.emit('offer:decline', { offerId: randomUUID() });
      expect(ghostDecline).toEqual({ ok: false, error: 'offer_not_found' });

      // still connected, still served, and the HTTP side is up
      expect(op.socket.connected).toBe(true);
      expect((await op.emit('state:get')).ok).toBe(true);
      expect((await api(stack.url, 'GET', '/health')).status).toBe(200);
      // and the operator can still work normally
      await op.available();
      const created = await intake();
      const offer = await op.next('contact:offer');
      expect(offer.contact.id).toBe(created.body.id);
      expect((await op.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    });

    it('an operator cannot accept another operator’s offer', async () => {
      const a = await agent(st, 0);
      const b = await agent(st, 1);
      await a.available();
      const created = await intake();
      const offer = await a.next('contact:offer');
      expect(await b.emit('offer:accept', { offerId: offer.offerId })).toEqual({ ok: false, error: 'offer_not_found' });
      expect((await contactRow(stack.app, created.body.id))!.status).toBe('offered');
    });

    it('presence:set with {status: "busy"} and other bad payloads → {ok:false}', async () => {
      const op = await agent(st, 0);
      for (const p of [
        { status: 'busy' },
        { status: 5 },
        {},
        null,
        'available',
        ['available'],
        { status: 'available', x: 1 },
      ]) {
        const ack = await op.emit('presence:set', p);
        expect({ p, ok: ack.ok }).toEqual({ p, ok: false });
        expect(typeof ack.error).toBe('string');
      }
      const none = await op.socket.timeout(15_000).emitWithAck('presence:set');
      expect(none.ok).toBe(false);
      expect(op.socket.connected).toBe(true);
      const ok = await op.emit('presence:set', { status: 'away' });
      expect(ok).toMatchObject({ ok: true, status: 'away' });
    });

    it('payloads nested thousands of levels deep (sent raw) still get an {ok:false} ack', async () => {
      const op = await agent(st, 0);
      // socket.io-client itself cannot serialise such a payload, so the packets are written to the engine as text
      const engine = (op.socket as any).io.engine;
      const acks = new Map<number, any>();
      engine.on('message', (data: unknown) => {
        const m = /^3\/agent,(\d+)(.*)$/s.exec(String(data));
        if (m) acks.set(Number(m[1]), JSON.parse(m[2])[0]);
      });
      const deepArray = '['.repeat(20000) + ']'.repeat(20000);
      const deepObject = '{"a":'.repeat(10000) + '1' + '}'.repeat(10000);
      const sent: [number, string][] = [
        [901, `["offer:accept",{"offerId":${deepArray}}]`],
        [902, `["offer:accept",${deepObject}]`],
        [903, `["offer:decline",${deepObject}]`],
        [904, `["presence:set",${deepObject}]`],
        [905, `["presence:set",{"status":"available","x":${deepArray}}]`],
      ];
      for (const [id, packet] of sent) engine.send(`2/agent,${id}${packet}`);
      for (let i = 0; i < 300 && acks.size < sent.length; i++) await sleep(50); // up to 15 s on a busy machine
      for (const [id] of sent) {
        expect({ id, ok: acks.get(id)?.ok }).toEqual({ id, ok: false });
        expect(acks.get(id).error).toMatch(/invalid_payload/);
      }
      expect(op.socket.connected).toBe(true);
      expect((await op.emit('state:get')).ok).toBe(true);
    });

    it('an unknown event and a payload over the socket size limit do not take the server down', async () => {
      const op = await agent(st, 0);
      op.socket.emit('no:such:event', { x: 1 });
      // over maxHttpBufferSize: the server drops this connection, not the process
      op.socket.emit('presence:set', { status: 'x'.repeat(100 * 1024) });
      await sleep(300);
      expect((await api(stack.url, 'GET', '/health')).status).toBe(200);
      const again = await agent(st, 0);
      expect((await again.emit('state:get')).ok).toBe(true);
    });
  });
});
