/** The web chat's and the console's message logic (chat/messages.ts, chat/resume.ts). */
import {
  acknowledge,
  emptyTimeline,
  lastSeq,
  mergeMessages,
  newClientId,
  queue,
  receive,
  sendableText,
  type StoredMessage,
} from './chat/messages';
import { loadResume, type KeyValueStore, resumeKey, saveResume } from './chat/resume';

const msg = (seq: number, from = 'caller', extra: Partial<StoredMessage> = {}): StoredMessage => ({
  id: `m${seq}`,
  seq,
  from,
  text: `text ${seq}`,
  at: `2026-12-01T10:00:${String(seq).padStart(2, '0')}+08:00`,
  ...extra,
});

describe('conversation timeline (web chat and console)', () => {
  it('keeps every message once, in seq order, whatever order and how often they arrive', () => {
    const first = mergeMessages([], [msg(3), msg(1)]);
    const again = mergeMessages(first, [msg(2), msg(1), msg(3), msg(5), msg(4)]);
    expect(again.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(mergeMessages(again, [msg(2), msg(4)]).map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('returns the same list when nothing new arrives (no re-render)', () => {
    const list = mergeMessages([], [msg(1)]);
    expect(mergeMessages(list, [])).toBe(list);
    const t = receive(emptyTimeline(), [msg(1)]);
    expect(receive(t, [])).toBe(t);
  });

  it('ignores malformed messages instead of showing them', () => {
    const bad = [
      { id: 'x' },
      null,
      { id: 'y', seq: Number.NaN, from: 'caller', text: 'a' },
    ] as unknown as StoredMessage[];
    expect(mergeMessages([msg(1)], bad).map((m) => m.id)).toEqual(['m1']);
  });

  it('a written message waits in the outbox until acknowledged, then takes its place by seq', () => {
    let t = receive(emptyTimeline(), [msg(1, 'operator')]);
    t = queue(t, { clientId: 'c1', text: '你好', at: 'now' });
    t = queue(t, { clientId: 'c1', text: '你好', at: 'now' }); // the same clientId twice is one message
    expect(t.outbox).toHaveLength(1);
    // the operator's next message arrives before the ack
    t = receive(t, [msg(3, 'operator')]);
    t = acknowledge(t, 'c1', { id: 'm2', seq: 2, from: 'caller', text: '你好', at: 'now' });
    expect(t.outbox).toEqual([]);
    expect(t.messages.map((m) => `${m.seq}:${m.from}`)).toEqual(['1:operator', '2:caller', '3:operator']);
  });

  it('the server echo of an own message and its ack make one message, in either order', () => {
    let a = queue(emptyTimeline(), { clientId: 'c1', text: 'hi', at: 'now' });
    a = receive(a, [msg(7, 'caller', { clientId: 'c1' })]);
    expect(a.outbox).toEqual([]);
    a = acknowledge(a, 'c1', msg(7));
    expect(a.messages.map((m) => m.id)).toEqual(['m7']);

    let b = queue(emptyTimeline(), { clientId: 'c2', text: 'hi', at: 'now' });
    b = acknowledge(b, 'c2', msg(7));
    b = receive(b, [msg(7)]);
    expect(b.messages).toHaveLength(1);
    expect(b.outbox).toEqual([]);
  });

  it('after a reconnect, history fetched after the last seq fills the gap without duplicates', () => {
    let t = receive(emptyTimeline(), [msg(1), msg(2), msg(3)]);
    expect(lastSeq(t.messages)).toBe(3);
    // the history answer overlaps what was already received live
    t = receive(t, [msg(3), msg(4), msg(5)]);
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(lastSeq([])).toBe(0);
  });

  it('only sends text that is not blank and not longer than the limit', () => {
    expect(sendableText('  在吗？ ')).toBe('在吗？');
    expect(sendableText('   ')).toBeNull();
    expect(sendableText('x'.repeat(11), 10)).toBeNull();
    expect(sendableText('x'.repeat(10), 10)).toBe('x'.repeat(10));
  });

  it('makes a different clientId every time', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newClientId()));
    expect(ids.size).toBe(100);
  });
});

describe('resume state (the browser keeps the token and the unsent messages)', () => {
  const memory = (): KeyValueStore & { data: Map<string, string> } => {
    const data = new Map<string, string>();
    return {
      data,
      getItem: (k) => data.get(k) ?? null,
      setItem: (k, v) => void data.set(k, v),
      removeItem: (k) => void data.delete(k),
    };
  };

  it('survives a reload per line and is gone once cleared', () => {
    const store = memory();
    const state = {
      resumeToken: 'tok',
      conversationId: 'conv',
      contactId: 'contact',
      outbox: [{ clientId: 'c1', text: '还在吗', at: 'now' }],
    };
    saveResume(store, '020-8123-4567', state);
    expect(loadResume(store, '020-8123-4567')).toEqual(state);
    expect(loadResume(store, '020-8000-0000')).toBeNull();
    saveResume(store, '020-8123-4567', null);
    expect(store.data.size).toBe(0);
  });

  it('ignores what it cannot read (no storage, broken JSON, no token, bad outbox entries)', () => {
    expect(loadResume(null, 'l')).toBeNull();
    const store = memory();
    store.setItem(resumeKey('l'), '{broken');
    expect(loadResume(store, 'l')).toBeNull();
    store.setItem(resumeKey('l'), JSON.stringify({ conversationId: 'c' }));
    expect(loadResume(store, 'l')).toBeNull();
    store.setItem(
      resumeKey('l'),
      JSON.stringify({ resumeToken: 't', outbox: [{ clientId: 1 }, { clientId: 'a', text: 'x' }] }),
    );
    expect(loadResume(store, 'l')?.outbox).toEqual([{ clientId: 'a', text: 'x' }]);
  });
});
