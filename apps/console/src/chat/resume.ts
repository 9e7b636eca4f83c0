import type { OutgoingMessage } from './messages';

/**
 * What the person's browser keeps of a web chat, per hotline line, in localStorage: the resume token (so a reload or
 * a lost network returns to the same conversation) and the messages written but not yet acknowledged (sent again,
 * with their clientIds, when the page is back). Removed when the conversation ends. Nothing else is kept: no
 * transcript stays on the device (it may be a shared or a watched phone).
 */
export interface ResumeState {
  resumeToken: string;
  conversationId: string;
  contactId: string;
  outbox: OutgoingMessage[];
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const resumeKey = (line: string) => `kapok.chat.${line}`;

export function loadResume(store: KeyValueStore | null, line: string): ResumeState | null {
  try {
    const v = JSON.parse(store?.getItem(resumeKey(line)) ?? 'null') as Partial<ResumeState> | null;
    if (!v || typeof v.resumeToken !== 'string' || !v.resumeToken) return null;
    const outbox = Array.isArray(v.outbox)
      ? v.outbox.filter(
          (o): o is OutgoingMessage => !!o && typeof o.clientId === 'string' && typeof o.text === 'string',
        )
      : [];
    return {
      resumeToken: v.resumeToken,
      conversationId: String(v.conversationId ?? ''),
      contactId: String(v.contactId ?? ''),
      outbox,
    };
  } catch {
    return null;
  }
}

export function saveResume(store: KeyValueStore | null, line: string, state: ResumeState | null): void {
  try {
    if (state) store?.setItem(resumeKey(line), JSON.stringify(state));
    else store?.removeItem(resumeKey(line));
  } catch {
    /* storage full or disabled: the conversation lasts as long as the page */
  }
}

/** localStorage, or null where the browser refuses it (private mode in some browsers, disabled storage). */
export function browserStore(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
