/** 常用语 kept per station in the browser (conversation/quick-replies.ts). */
import {
  addQuickReply,
  DEFAULT_QUICK_REPLIES,
  loadOwnQuickReplies,
  quickRepliesKey,
  removeQuickReply,
} from './conversation/quick-replies';

const memory = () => {
  const data = new Map<string, string>();
  return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
};

describe('quick replies (常用语) per station', () => {
  it('adds a station its own phrases, once each, trimmed, without repeating a default', () => {
    const store = memory();
    expect(addQuickReply(store, 's1', '  请问您现在在哪里？ ')).toEqual(['请问您现在在哪里？']);
    expect(addQuickReply(store, 's1', '请问您现在在哪里？')).toEqual(['请问您现在在哪里？']);
    expect(addQuickReply(store, 's1', DEFAULT_QUICK_REPLIES[0])).toEqual(['请问您现在在哪里？']);
    expect(addQuickReply(store, 's1', '   ')).toEqual(['请问您现在在哪里？']);
    expect(loadOwnQuickReplies(store, 's2')).toEqual([]);
    expect(removeQuickReply(store, 's1', '请问您现在在哪里？')).toEqual([]);
  });

  it('keeps at most 50 and reads nothing it cannot parse', () => {
    const store = memory();
    for (let i = 0; i < 60; i++) addQuickReply(store, 's', `第 ${i} 句`);
    const own = loadOwnQuickReplies(store, 's');
    expect(own).toHaveLength(50);
    expect(own[49]).toBe('第 59 句');
    store.setItem(quickRepliesKey('bad'), '{not json');
    expect(loadOwnQuickReplies(store, 'bad')).toEqual([]);
    store.setItem(quickRepliesKey('mixed'), JSON.stringify(['ok', 3, '', null]));
    expect(loadOwnQuickReplies(store, 'mixed')).toEqual(['ok']);
    expect(loadOwnQuickReplies(null, 's')).toEqual([]);
  });
});
