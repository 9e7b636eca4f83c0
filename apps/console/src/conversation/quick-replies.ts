/**
 * 常用语 (quick replies) of a station. The server has no store for them yet, so the console keeps them: a default
 * list every station starts from, plus the phrases added at this workstation for the station, in localStorage
 * (they contain no personal data).
 */
export const DEFAULT_QUICK_REPLIES: readonly string[] = [
  '您好，我是红棉守护热线的社工，很高兴您愿意来倾诉。请问有什么可以帮到您？',
  '我在认真听，您慢慢说，不着急。',
  '听起来这段时间您真的很不容易。',
  '您现在是否安全？身边有没有可以信任的人陪着您？',
  '如果您正处在危险中，请立即拨打 110 或 120。',
  '我需要一点时间查询相关信息，请稍等。',
  '谢谢您的信任。如果之后还需要帮助，欢迎随时再来。',
];

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
