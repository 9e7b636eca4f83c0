import { DEFAULT_QUICK_REPLIES } from '@kapok/contracts';

/**
 * 常用语 (quick replies). The station's list is kept on the server (`GET /api/stations/:id/quick-replies`, set by its
 * coordinators in 排班与路由设置 → 常用语; the defaults until then); an operator may add phrases of their own at their
 * workstation, kept here in localStorage (they contain no personal data).
 */
export { DEFAULT_QUICK_REPLIES };

export interface QuickReplyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const quickRepliesKey = (stationId: string) => `kapok.quickReplies.${stationId}`;

/** The station's own phrases (added here), without the defaults. */
export function loadOwnQuickReplies(store: QuickReplyStore | null, stationId: string): string[] {
  try {
    const v = JSON.parse(store?.getItem(quickRepliesKey(stationId)) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && !!x.trim()) : [];
  } catch {
    return [];
  }
}

/** Adds a phrase (trimmed, once, at most 50 kept); returns the station's own list. */
export function addQuickReply(store: QuickReplyStore | null, stationId: string, text: string): string[] {
  const t = text.trim();
  const own = loadOwnQuickReplies(store, stationId);
  if (!t || own.includes(t) || DEFAULT_QUICK_REPLIES.includes(t)) return own;
  const next = [...own, t].slice(-50);
  try {
    store?.setItem(quickRepliesKey(stationId), JSON.stringify(next));
  } catch {
    /* storage disabled: not kept */
  }
  return next;
}

export function removeQuickReply(store: QuickReplyStore | null, stationId: string, text: string): string[] {
  const next = loadOwnQuickReplies(store, stationId).filter((x) => x !== text);
  try {
    store?.setItem(quickRepliesKey(stationId), JSON.stringify(next));
  } catch {
    /* storage disabled */
  }
  return next;
}
