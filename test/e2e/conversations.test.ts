import { io } from 'socket.io-client';
import { CloseIdleConversations, PurgeExpiredTranscripts } from '../../libs/conversations/src';
import { Db } from '../../libs/database/src';
import { ControllableClock } from '../support/clock';
import { TestStation, contactRow, createStation } from '../support/fixtures';
import { AgentClient, Stack, api, login, sleep, startStack } from '../support/stack';

/**
 * Text contacts end to end over HTTP and real socket.io clients (in one process; the two-process run is
 * conversations-multi-process.test.ts): the web chat's session, the caller's `/chat` socket, the operator's `/agent`
 * message events, transfers, a supervisor's watch and whisper, inactivity and retention. The product's time is a
 * ControllableClock: it moves only when a test moves it (inactivity, retention).
 */
describe('conversations of text contacts (HTTP + socket.io, real Postgres and Redis)', () => {
  const clock = new ControllableClock();
  let stack: Stack;
  let st: TestStation;
  const clients: AgentClient[] = [];
  const track = <T extends AgentClient>(c: T) => (clients.push(c), c);
  const operator = async (i: number) =>
    track(await AgentClient.connect(stack.url, await login(stack.url, st.operators[i].username)));
  const session = async (extra: Record<string, unknown> = {}) => {
    const res = await api(stack.url, 'POST', '/chat/sessions', { body: { hotlineNumber: st.hotlineNumber, ...extra } });
    expect(res.status).toBe(201);
    return res.body as { conversationId: string; contactId: string; resumeToken: string };
  };
  const caller = async (token: string) => track(await AgentClient.chat(stack.url, token));
  const count = async (table: 'messages' | 'conversations', where = 'true', params: unknown[] = []) =>
    (await stack.app.get(Db).one<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params))!.n;
  const accept = async (op: AgentClient, contactId: string) => {
    const offer = await op.next('contact:offer', (o) => o.contact.id === contactId);
    const ack = await op.emit('offer:accept', { offerId: offer.offerId });
    expect(ack.ok).toBe(true);
    return offer;
  };

  beforeAll(async () => {
    stack = await startStack({ CHAT_IDLE_MINUTES: '10', CONVERSATION_SWEEP_SECONDS: '3600' }, { clock });
  });
  beforeEach(async () => {
    st = await createStation(stack.app, 3);
  });
  afterEach(() => {
    clients.splice(0).forEach((c) => c.close());
  });
  afterAll(async () => {
    await sleep(100);
    await stack.close();
  });

  it('refuses an unknown line, a bad body and a bad or missing resume token, storing nothing', async () => {
    const before = await count('conversations');
    const unknown = await api(stack.url, 'POST', '/chat/sessions', { body: { hotlineNumber: 'no-such-line' } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toMatch(/hotlineNumber/);
    const bad = await api(stack.url, 'POST', '/chat/sessions', {
      body: { hotlineNumber: st.hotlineNumber, topics: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/topics/);
    expect(await count('conversations')).toBe(before);

    for (const auth of [{ resumeToken: 'x'.repeat(43) }, {}, { resumeToken: 42 }]) {
      const socket = io(`${stack.url}/chat`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
      const err = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
      expect(err.message).toMatch(/^unauthorized/);
      socket.close();
    }
    expect(await count('conversations')).toBe(before);
  });

  it('queue position, offer with the first message, accept, messages both ways in order, resends, oversized, read state', async () => {
    const first = await session({ topics: ['失眠'] });
    clock.advance(1000); // (the product's clock stands still: the second arrives a second later)
    const second = await session();
    const a = await caller(first.resumeToken);
    const b = await caller(second.resumeToken);
    expect(await b.next('queue:position')).toEqual(expect.objectContaining({ ahead: 1 }));
    expect(await a.next('queue:position')).toEqual(expect.objectContaining({ ahead: 0 }));

    // written while waiting: stored, numbered, and shown by the offer
    const hello = await a.emit('message:send', { clientId: 'c-1', text: '你好，我想找人聊聊' });
    expect(hello).toEqual({ ok: true, id: expect.any(String), seq: 1 });

    const op = await operator(0);
    await op.available();
    const offer = await accept(op, first.contactId);
    expect(offer.contact.firstMessage).toEqual({ text: '你好，我想找人聊聊', at: expect.any(String) });
    expect(await a.next('conversation:state', (s) => s.status === 'talking')).toEqual({ status: 'talking' });
    // the next caller in line moves up
    expect(await b.next('queue:position', (p) => p.ahead === 0)).toEqual(expect.objectContaining({ ahead: 0 }));

    const history = await op.emit('history:get', { contactId: first.contactId });
    expect(history.ok).toBe(true);
    expect(history.messages.map((m: any) => [m.seq, m.from, m.text])).toEqual([[1, 'caller', '你好，我想找人聊聊']]);

    const reply = await op.emit('message:send', {
      contactId: first.contactId,
      clientId: 'o-1',
      text: '你好，我在这里。',
    });
    expect(reply).toEqual({ ok: true, id: expect.any(String), seq: 2 });
    expect(await a.next('message', (m) => m.from === 'operator')).toEqual({
      id: reply.id,
      seq: 2,
      from: 'operator',
      text: '你好，我在这里。',
      at: expect.any(String),
    });

    const m3 = await a.emit('message:send', { clientId: 'c-2', text: '最近睡不着' });
    const m4 = await a.emit('message:send', { clientId: 'c-3', text: '压力很大' });
    expect([m3.seq, m4.seq]).toEqual([3, 4]);
    const got = [await op.next('message', (m) => m.seq === 3), await op.next('message', (m) => m.seq === 4)];
    expect(got.map((m) => [m.contactId, m.from, m.text])).toEqual([
      [first.contactId, 'caller', '最近睡不着'],
      [first.contactId, 'caller', '压力很大'],
    ]);

    // a resend (same clientId) is answered with the first message, not stored again, not delivered again
    const resend = await a.emit('message:send', { clientId: 'c-3', text: '压力很大' });
    expect(resend).toEqual({ ok: true, id: m4.id, seq: 4 });
    const opResend = await op.emit('message:send', {
      contactId: first.contactId,
      clientId: 'o-1',
      text: '你好，我在这里。',
    });
    expect(opResend).toEqual({ ok: true, id: reply.id, seq: 2 });

    // oversized, empty or malformed: refused naming the problem, nothing stored
    const stored = await count('messages', 'conversation_id = $1', [first.conversationId]);
    const long = await a.emit('message:send', { clientId: 'c-long', text: '长'.repeat(2001) });
    expect(long).toEqual({ ok: false, error: expect.stringMatching(/^text_too_long: at most 2000/) });
    expect(
      (await op.emit('message:send', { contactId: first.contactId, clientId: 'o-l', text: 'x'.repeat(2001) })).error,
    ).toMatch(/^text_too_long/);
    expect((await a.emit('message:send', { clientId: 'c-e', text: '   ' })).error).toMatch(/^invalid_payload: text/);
    expect((await a.emit('message:send', { text: 'no id' })).error).toMatch(/^invalid_payload: clientId/);
    expect(await count('messages', 'conversation_id = $1', [first.conversationId])).toBe(stored);

    // history in order, no duplicates
    const all = await a.emit('history:get', {});
    expect(all.messages.map((m: any) => m.seq)).toEqual([1, 2, 3, 4]);
    expect((await a.emit('history:get', { afterSeq: 2 })).messages.map((m: any) => m.seq)).toEqual([3, 4]);

    // read state both ways, and typing
    expect(await op.emit('message:read', { contactId: first.contactId, seq: 4 })).toEqual({ ok: true });
    expect(await a.next('message:state')).toEqual({ by: 'operator', deliveredSeq: 4, readSeq: 4 });
    expect(await a.emit('message:read', { seq: 2 })).toEqual({ ok: true });
    expect(await op.next('message:state')).toEqual({
      contactId: first.contactId,
      by: 'caller',
      deliveredSeq: 2,
      readSeq: 2,
    });
    await a.emit('typing', { typing: true });
    expect(await op.next('typing')).toEqual({ contactId: first.contactId, from: 'caller', typing: true });

    // another operator, not holding it, gets nothing and may not read or write it
    const other = await operator(1);
    expect((await other.emit('history:get', { contactId: first.contactId })).error).toMatch(/^not_found/);
    expect((await other.emit('message:send', { contactId: first.contactId, clientId: 'x', text: 'hi' })).error).toMatch(
      /^not_found/,
    );
    await other.none('message', 200);

    // the person ends it: the operator wraps up
    expect(await a.emit('conversation:end', {})).toEqual({ ok: true });
    expect(await a.next('conversation:ended')).toEqual({ reason: 'caller_ended' });
    expect(await op.next('conversation:ended')).toEqual({ contactId: first.contactId, reason: 'caller_ended' });
    expect((await contactRow(stack.app, first.contactId))!.status).toBe('wrap_up');
    expect((await a.emit('message:send', { clientId: 'late', text: '还在吗' })).error).toMatch(/^conversation_ended/);
  });

  it('reconnecting with the same token resumes the conversation; what was sent meanwhile comes with history', async () => {
    const s = await session();
    const op = await operator(0);
    await op.available();
    let c = await caller(s.resumeToken);
    await c.emit('message:send', { clientId: 'c-1', text: '在吗' });
    await accept(op, s.contactId);
    c.close();
    const sent = await op.emit('message:send', { contactId: s.contactId, clientId: 'o-1', text: '我在，请慢慢说。' });
    expect(sent.ok).toBe(true);

    c = await caller(s.resumeToken);
    const missed = await c.emit('history:get', { afterSeq: 1 });
    expect(missed.messages).toEqual([
      { id: sent.id, seq: 2, from: 'operator', text: '我在，请慢慢说。', at: expect.any(String) },
    ]);
    // the same conversation: the caller's resend of before the drop is still recognised
    expect(await c.emit('message:send', { clientId: 'c-1', text: '在吗' })).toEqual(
      expect.objectContaining({ seq: 1 }),
    );
    // another conversation's token reads only its own
    const other = await session();
    const o = await caller(other.resumeToken);
    expect((await o.emit('history:get', {})).messages).toEqual([]);
  });

  it('transfers to another operator and then to a supervisor: queuedAt unchanged, note in the offer, whole history', async () => {
    const supervisor = await st.user('supervisor', st.districtId);
    const s = await session();
    const c = await caller(s.resumeToken);
    const [op1, op2] = [await operator(0), await operator(1)];
    await op1.available();
    await c.emit('message:send', { clientId: 'c-1', text: '我有点害怕' });
    await accept(op1, s.contactId);
    await op1.emit('message:send', { contactId: s.contactId, clientId: 'o-1', text: '我明白' });
    const queuedAt = (await contactRow(stack.app, s.contactId))!.queued_at.toISOString();

    const token1 = await login(stack.url, st.operators[0].username);
    const bad = await api(stack.url, 'POST', `/contacts/${s.contactId}/transfer`, { token: token1, body: { to: {} } });
    expect(bad.status).toBe(400);
    const notMine = await api(stack.url, 'POST', `/contacts/${s.contactId}/transfer`, {
      token: await login(stack.url, st.operators[2].username),
      body: { to: { supervisor: true } },
    });
    expect([403, 404]).toContain(notMine.status);

    await op2.available();
    const moved = await api(stack.url, 'POST', `/contacts/${s.contactId}/transfer`, {
      token: token1,
      body: { to: { userId: st.operators[1].id }, note: '来电者情绪紧张，需要耐心' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'queued', queuedAt });
    expect(await c.next('message', (m) => m.from === 'system')).toMatchObject({ from: 'system', seq: 3 });

    const offer = await accept(op2, s.contactId);
    expect(offer.contact.queuedAt).toBe(queuedAt);
    expect(offer.contact.transfer).toMatchObject({
      fromUserId: st.operators[0].id,
      to: { userId: st.operators[1].id },
      note: '来电者情绪紧张，需要耐心',
    });
    const history = await op2.emit('history:get', { contactId: s.contactId });
    expect(history.messages.map((m: any) => m.text)).toEqual(['我有点害怕', '我明白', expect.stringContaining('转接')]);
    // the first operator no longer receives it
    await c.emit('message:send', { clientId: 'c-2', text: '你是新的社工吗' });
    expect((await op2.next('message', (m) => m.seq === 4)).text).toBe('你是新的社工吗');
    await sleep(200);
    expect(op1.events.filter((e) => e.event === 'message' && e.data.seq >= 3)).toEqual([]);

    // to the supervisors of the station: a supervisor on /agent takes it
    const sup = track(await AgentClient.connect(stack.url, await login(stack.url, supervisor.username)));
    await sup.available();
    const token2 = await login(stack.url, st.operators[1].username);
    const up = await api(stack.url, 'POST', `/contacts/${s.contactId}/transfer`, {
      token: token2,
      body: { to: { supervisor: true }, note: '高危，请督导接手' },
    });
    expect(up.status).toBe(200);
    expect(up.body.queuedAt).toBe(queuedAt);
    const supOffer = await accept(sup, s.contactId);
    expect(supOffer.contact.transfer).toMatchObject({ to: { supervisor: true }, note: '高危，请督导接手' });
    expect((await contactRow(stack.app, s.contactId))!).toMatchObject({
      status: 'active',
      assigned_worker_id: supervisor.id,
      transfer_supervisor: false,
    });
    expect((await sup.emit('history:get', { contactId: s.contactId })).messages).toHaveLength(5);

    // a phone contact too (the first two operators step away meanwhile)
    for (const op of [op1, op2]) expect((await op.emit('presence:set', { status: 'away' })).ok).toBe(true);
    const phone = await api(stack.url, 'POST', '/contacts', {
      key: st.intakeKey,
      body: { hotlineNumber: st.hotlineNumber, channel: 'phone', callerNumber: '13800001111' },
    });
    const op3 = await operator(2);
    await op3.available();
    await accept(op3, phone.body.id);
    const phoneQueuedAt = phone.body.queuedAt;
    await op1.available();
    const phoneMoved = await api(stack.url, 'POST', `/contacts/${phone.body.id}/transfer`, {
      token: await login(stack.url, st.operators[2].username),
      body: { to: { orgUnitId: st.stationId } },
    });
    expect(phoneMoved.status).toBe(200);
    expect(phoneMoved.body).toMatchObject({ status: 'queued', queuedAt: phoneQueuedAt });
    await accept(op1, phone.body.id);
    // the operator who transferred it to the station was free too and was not offered it back
    expect(op3.events.filter((e) => e.event === 'contact:offer' && e.data.contact.id === phone.body.id)).toEqual([]);
  });

  it('a transfer to an operator: refused while they are off duty; when they decline or go away it falls back to the pool', async () => {
    const [op1, op2, op3] = [await operator(0), await operator(1), await operator(2)];
    const token1 = await login(stack.url, st.operators[0].username);
    const phone = async () => {
      const res = await api(stack.url, 'POST', '/contacts', {
        key: st.intakeKey,
        body: { hotlineNumber: st.hotlineNumber, channel: 'phone' },
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; queuedAt: string };
    };
    const transferTo = (contactId: string, i: number) =>
      api(stack.url, 'POST', `/contacts/${contactId}/transfer`, {
        token: token1,
        body: { to: { userId: st.operators[i].id }, note: '请接手' },
      });

    await op1.available();
    const first = await phone();
    await accept(op1, first.id);
    // op2 is signed in but not on duty: refused, nothing changes
    const refused = await transferTo(first.id, 1);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('to.userId');
    expect((await contactRow(stack.app, first.id))!).toMatchObject({ status: 'active', transfer_worker_id: null });

    // op2 on duty declines it: it falls back to the station's pool — op3, not op1 who transferred it — its place kept
    await op2.available();
    await op3.available();
    expect((await transferTo(first.id, 1)).status).toBe(200);
    const offered = await op2.next('contact:offer', (o) => o.contact.id === first.id);
    await op3.none('contact:offer', 200);
    expect((await op2.emit('offer:decline', { offerId: offered.offerId })).ok).toBe(true);
    const fallback = await accept(op3, first.id);
    expect(fallback.contact.queuedAt).toBe(first.queuedAt);

    // op3 holds the first; op1 takes a second (op2 steps away meanwhile), then op2 a third: both busy …
    expect((await op2.emit('presence:set', { status: 'away' })).ok).toBe(true);
    const second = await phone();
    await accept(op1, second.id);
    await op2.available();
    const third = await phone();
    await accept(op2, third.id);
    // … op1 transfers the second to op2, busy but on duty: it waits for them …
    expect((await transferTo(second.id, 1)).status).toBe(200);
    await op2.none('contact:offer', 300);
    // … and then goes away instead of taking it: it is routed to its pool at once (op1, free again, is the only one
    // left, and takes back what nobody else can take)
    expect((await op2.emit('presence:set', { status: 'away' })).ok).toBe(true);
    const back = await accept(op1, second.id);
    expect(back.contact.queuedAt).toBe(second.queuedAt);
  });

  it('a burst from both sides at once, resends racing their first: each stored once, numbered without a gap', async () => {
    const s = await session();
    const c = await caller(s.resumeToken);
    const op = await operator(0);
    await op.available();
    await c.emit('message:send', { clientId: 'c-0', text: '在吗' });
    await accept(op, s.contactId);
    const fromCaller = Array.from({ length: 12 }, (_, i) => ({ clientId: `c-${i + 1}`, text: `来电者 ${i + 1}` }));
    const fromOperator = Array.from({ length: 12 }, (_, i) => ({ clientId: `o-${i + 1}`, text: `社工 ${i + 1}` }));
    const acks = await Promise.all([
      ...fromCaller.flatMap((m) => [c.emit('message:send', m), c.emit('message:send', m)]), // each sent twice at once
      ...fromOperator.map((m) => op.emit('message:send', { contactId: s.contactId, ...m })),
    ]);
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    // the two sends of one message are answered with the same message
    for (let i = 0; i < fromCaller.length; i++) expect(acks[2 * i]).toEqual(acks[2 * i + 1]);
    const stored = await stack.app.get(Db).rows<{ seq: number; client_id: string }>(
      `SELECT m.seq, m.client_id FROM messages m JOIN conversations v ON v.id = m.conversation_id
          WHERE v.contact_id = $1 ORDER BY m.seq`,
      [s.contactId],
    );
    // (12 × 2 sends from the caller: under the sockets' burst limit of 30 events)
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(new Set(stored.map((r) => r.client_id)).size).toBe(25);
    const history = await op.emit('history:get', { contactId: s.contactId });
    expect(history.messages).toHaveLength(25);
  });

  it('常用语 per station: the defaults until its coordinator sets its own, for every workstation; bad lists refused', async () => {
    const coordinator = await login(stack.url, (await st.user('coordinator', st.stationId)).username);
    const operatorToken = await login(stack.url, st.operators[0].username);
    const path = `/stations/${st.stationId}/quick-replies`;
    const defaults = await api(stack.url, 'GET', path, { token: operatorToken });
    expect(defaults.status).toBe(200);
    expect(defaults.body).toMatchObject({ stationId: st.stationId, custom: false, updatedBy: null });
    expect(defaults.body.phrases.length).toBeGreaterThan(3);

    const set = await api(stack.url, 'PUT', path, {
      token: coordinator,
      body: { phrases: ['  您好，这里是本站社工。 ', '请问您现在安全吗？', '请问您现在安全吗？', ''] },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ custom: true, phrases: ['您好，这里是本站社工。', '请问您现在安全吗？'] });
    // every workstation of the station reads the same list
    expect((await api(stack.url, 'GET', path, { token: operatorToken })).body.phrases).toEqual(set.body.phrases);

    const refused: [unknown, RegExp][] = [
      [{ phrases: 'x' }, /phrases/],
      [{ phrases: [42] }, /phrases/],
      [{ phrases: Array.from({ length: 51 }, (_, i) => `第${i}句`) }, /50/],
      [{ phrases: ['好', '长'.repeat(301)] }, /phrases\[1\]/],
    ];
    for (const [body, reason] of refused) {
      const res = await api(stack.url, 'PUT', path, { token: coordinator, body });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(reason);
    }
    expect((await api(stack.url, 'PUT', path, { token: operatorToken, body: { phrases: [] } })).status).toBe(403);
    const otherStation = await createStation(stack.app, 0);
    expect(
      (await api(stack.url, 'GET', `/stations/${otherStation.stationId}/quick-replies`, { token: coordinator })).status,
    ).toBe(404);
    expect((await api(stack.url, 'GET', path, { token: operatorToken })).body.phrases).toEqual(set.body.phrases);

    const back = await api(stack.url, 'PUT', path, { token: coordinator, body: { phrases: null } });
    expect(back.body).toMatchObject({ custom: false, phrases: defaults.body.phrases });
  });

  it('a supervisor watches silently and whispers to the operator; the caller never receives a whisper', async () => {
    const supervisor = await st.user('supervisor', st.districtId);
    const s = await session();
    const c = await caller(s.resumeToken);
    const op = await operator(0);
    await op.available();
    await c.emit('message:send', { clientId: 'c-1', text: '我想不开' });
    await accept(op, s.contactId);

    const mon = track(await AgentClient.monitor(stack.url, await login(stack.url, supervisor.username)));
    const watched = await mon.emit('conversation:watch', { contactId: s.contactId });
    expect(watched.ok).toBe(true);
    expect(watched.messages.map((m: any) => m.text)).toEqual(['我想不开']);
    const coordinator = track(
      await AgentClient.monitor(stack.url, await login(stack.url, (await st.user('coordinator')).username)),
    );
    expect((await coordinator.emit('conversation:watch', { contactId: s.contactId })).error).toMatch(/^forbidden/);

    const w = await mon.emit('conversation:whisper', {
      contactId: s.contactId,
      clientId: 'w-1',
      text: '先评估自杀风险',
    });
    expect(w).toEqual({ ok: true, id: expect.any(String), seq: 2 });
    expect(await op.next('message', (m) => m.from === 'whisper')).toMatchObject({
      contactId: s.contactId,
      from: 'whisper',
      text: '先评估自杀风险',
      senderId: supervisor.id,
    });
    await op.emit('message:send', { contactId: s.contactId, clientId: 'o-1', text: '你现在安全吗？' });
    expect((await mon.next('message', (m) => m.from === 'operator')).text).toBe('你现在安全吗？');
    await c.emit('message:send', { clientId: 'c-2', text: '还好' });
    expect((await mon.next('message', (m) => m.from === 'caller' && m.seq === 4)).text).toBe('还好');

    // the caller: the operator's message, never the whisper, live or in history
    expect((await c.next('message', (m) => m.from === 'operator')).text).toBe('你现在安全吗？');
    await sleep(300);
    expect(c.events.filter((e) => e.event === 'message' && e.data.from === 'whisper')).toEqual([]);
    expect(JSON.stringify(c.events)).not.toContain('先评估自杀风险');
    const history = await c.emit('history:get', {});
    expect(history.messages.map((m: any) => m.from)).toEqual(['caller', 'operator', 'caller']);
    expect(JSON.stringify(history)).not.toContain('先评估自杀风险');
    // watching was audited (a transcript read outside its operator)
    expect(
      await stack.app
        .get(Db)
        .one(`SELECT 1 FROM audit_log WHERE action = 'transcript.read' AND contact_id = $1 AND actor_id = $2`, [
          s.contactId,
          supervisor.id,
        ]),
    ).toBeTruthy();
  });

  it('closes an idle conversation politely and abandons a caller who left the queue', async () => {
    const talking = await session();
    const c = await caller(talking.resumeToken);
    const op = await operator(0);
    await op.available();
    await c.emit('message:send', { clientId: 'c-1', text: '你好' });
    await accept(op, talking.contactId);
    await op.emit('message:send', { contactId: talking.contactId, clientId: 'o-1', text: '你好，请讲' });
    const left = await session(); // waits (or rings for the operator), then its caller leaves
    (await caller(left.resumeToken)).close();

    const sweep = stack.app.get(CloseIdleConversations);
    clock.advance(9 * 60_000);
    expect(await sweep.execute()).toMatchObject({ idle: 0, left: 0 });
    expect((await contactRow(stack.app, talking.contactId))!.status).toBe('active');
    clock.advance(60_000); // 10 minutes (CHAT_IDLE_MINUTES) without a message
    const closed = await sweep.execute(); // (and the conversations earlier tests left open)
    expect(closed.idle).toBeGreaterThanOrEqual(1);
    expect(closed.left).toBeGreaterThanOrEqual(1);

    const notice = await c.next('message', (m) => m.from === 'system');
    expect(notice.text).toMatch(/对话已结束/);
    expect(await c.next('conversation:ended')).toEqual({ reason: 'idle' });
    expect(await op.next('conversation:ended')).toEqual({ contactId: talking.contactId, reason: 'idle' });
    expect((await contactRow(stack.app, talking.contactId))!.status).toBe('wrap_up');
    expect((await contactRow(stack.app, left.contactId))!.status).toBe('abandoned');
    expect(await sweep.execute()).toMatchObject({ idle: 0, left: 0 }); // nothing twice
  });

  it('keeps transcripts for the retention period, then purges their text and keeps the record', async () => {
    const s = await session();
    const c = await caller(s.resumeToken);
    const op = await operator(0);
    await op.available();
    await c.emit('message:send', { clientId: 'c-1', text: '需要帮助' });
    await accept(op, s.contactId);
    await op.emit('message:send', { contactId: s.contactId, clientId: 'o-1', text: '好的' });
    await c.emit('conversation:end', {});
    const token = await login(stack.url, st.operators[0].username);
    const outcome = await api(stack.url, 'POST', `/contacts/${s.contactId}/outcome`, {
      token,
      body: {
        serviceTypes: ['emotional_support'],
        targetGroup: 'other',
        summary: '网聊倾诉，情绪已缓和。',
        problems: [{ category: 'emotional', resolution: 'resolved' }],
      },
    });
    expect(outcome.status).toBe(201);

    // the record links to its transcript; the operator's own read is not audited, a supervisor's is
    const record = await api(stack.url, 'GET', `/records/${s.contactId}`, { token });
    expect(record.body.transcript).toEqual({ conversationId: s.conversationId, messageCount: 2, purgedAt: null });
    const own = await api(stack.url, 'GET', `/records/${s.contactId}/transcript`, { token });
    expect(own.body.messages.map((m: any) => m.text)).toEqual(['需要帮助', '好的']);
    const audited = () =>
      stack.app
        .get(Db)
        .rows(`SELECT actor_id FROM audit_log WHERE action = 'transcript.read' AND contact_id = $1`, [s.contactId]);
    expect(await audited()).toEqual([]);
    const supervisor = await st.user('supervisor', st.districtId);
    const supToken = await login(stack.url, supervisor.username);
    expect((await api(stack.url, 'GET', `/records/${s.contactId}/transcript`, { token: supToken })).status).toBe(200);
    expect(await audited()).toEqual([{ actor_id: supervisor.id }]);
    const stranger = await createStation(stack.app, 1);
    const outsider = await login(stack.url, (await stranger.user('supervisor')).username);
    expect((await api(stack.url, 'GET', `/records/${s.contactId}/transcript`, { token: outsider })).status).toBe(404);

    const purge = stack.app.get(PurgeExpiredTranscripts);
    const again = () => login(stack.url, st.operators[0].username); // (sign-ins expire as the clock moves on)
    clock.advance(179 * 86_400_000);
    await purge.execute();
    const kept179 = await api(stack.url, 'GET', `/records/${s.contactId}/transcript`, { token: await again() });
    expect(kept179.body).toMatchObject({ purgedAt: null, messages: [{ text: '需要帮助' }, { text: '好的' }] });
    clock.advance(86_400_000);
    expect(await purge.execute()).toBeGreaterThanOrEqual(1);
    const later = await again();
    const after = await api(stack.url, 'GET', `/records/${s.contactId}/transcript`, { token: later });
    expect(after.body.purgedAt).not.toBeNull();
    expect(after.body.messages.map((m: any) => [m.seq, m.text])).toEqual([
      [1, ''],
      [2, ''],
    ]);
    expect(await count('messages', 'conversation_id = $1 AND text_enc IS NOT NULL', [s.conversationId])).toBe(0);
    const kept = await api(stack.url, 'GET', `/records/${s.contactId}`, { token: later });
    expect(kept.status).toBe(200);
    expect(kept.body.outcome.summary).toBe('网聊倾诉，情绪已缓和。');
    // (the clock went far ahead: nothing else in this file runs after this test)
  });
});
