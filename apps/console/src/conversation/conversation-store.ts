import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type {
  AgentConversationEndedEvent,
  AgentMessageEvent,
  AgentMessageStateEvent,
  AgentTypingEvent,
  ContactOfferEvent,
  ConversationEndReason,
  ConversationMessage,
  TransferView,
} from '@kapok/contracts';
import {
  acknowledge,
  emptyTimeline,
  lastSeq,
  newClientId,
  type OutgoingMessage,
  queue,
  receive,
  sendableText,
  type Timeline,
} from '../chat/messages';
import type { AgentSocket, ConnectionStatus } from '../socket';

/** What the operator's console holds of one text contact's conversation. */
export interface ConversationState {
  timeline: Timeline<ConversationMessage>;
  /** The whole conversation so far has been fetched (history:get) at least once. */
  loaded: boolean;
  callerTyping: boolean;
  /** The caller's marks: every message with seq ≤ these reached / was read by the caller. */
  callerDeliveredSeq: number;
  callerReadSeq: number;
  /** The last caller message this operator has seen (sent as `message:read`). */
  seenSeq: number;
  endedReason: ConversationEndReason | null;
  /** The transfer that brought this contact here, with its note (from its offer). */
  transfer: TransferView | null;
}

const blank = (): ConversationState => ({
  timeline: emptyTimeline(),
  loaded: false,
  callerTyping: false,
  callerDeliveredSeq: 0,
  callerReadSeq: 0,
  seenSeq: 0,
  endedReason: null,
  transfer: null,
});

const ACK_TIMEOUT_MS = 10_000;
const OUTBOX_KEY = (contactId: string) => `kapok.outbox.${contactId}`;
const TRANSFER_KEY = (contactId: string) => `kapok.transfer.${contactId}`;

function session(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function readJson<T>(key: string): T | null {
  try {
    return JSON.parse(session()?.getItem(key) ?? 'null') as T | null;
  } catch {
    return null;
  }
}

function writeJson(key: string, value: unknown): void {
  try {
    if (value === null || (Array.isArray(value) && !value.length)) session()?.removeItem(key);
    else session()?.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: kept in memory */
  }
}

/**
 * The conversations of the text contacts an operator holds, outside React (one per workspace): messages from the
 * `/agent` socket, the operator's own messages in an outbox until acknowledged (kept in this tab's sessionStorage,
 * so a reload resends them with the same clientIds: no duplicates), typing and read marks, and history fetched
 * after every (re)connect. Components read it through useConversation.
 */
export class ConversationStore {
  private readonly states = new Map<string, ConversationState>();
  private readonly listeners = new Set<() => void>();
  private readonly flushing = new Set<string>();
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly sentTyping = new Map<string, boolean>();
  socket: AgentSocket | null = null;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  get(contactId: string): ConversationState {
    let s = this.states.get(contactId);
    if (!s) {
      s = blank();
      const outbox = readJson<OutgoingMessage[]>(OUTBOX_KEY(contactId));
      if (Array.isArray(outbox)) s = { ...s, timeline: { ...s.timeline, outbox } };
      s.transfer = readJson<TransferView>(TRANSFER_KEY(contactId));
      this.states.set(contactId, s);
    }
    return s;
  }

  private set(contactId: string, fn: (s: ConversationState) => ConversationState): void {
    const before = this.get(contactId);
    const after = fn(before);
    if (after === before) return;
    this.states.set(contactId, after);
    if (after.timeline.outbox !== before.timeline.outbox) writeJson(OUTBOX_KEY(contactId), after.timeline.outbox);
    this.listeners.forEach((l) => l());
  }

  // ---------------------------------------------------------------------------------------- server → operator

  onMessage = (e: AgentMessageEvent): void => {
    const { contactId, ...m } = e;
    this.set(contactId, (s) => {
      const timeline = receive(s.timeline, [m]);
      return timeline === s.timeline
        ? s
        : { ...s, timeline, callerTyping: m.from === 'caller' ? false : s.callerTyping };
    });
  };

  onTyping = (e: AgentTypingEvent): void => {
    if (e.from !== 'caller') return;
    this.set(e.contactId, (s) => (s.callerTyping === e.typing ? s : { ...s, callerTyping: e.typing }));
    clearTimeout(this.typingTimers.get(`in:${e.contactId}`));
    if (e.typing) {
      // the indicator expires by itself when no update comes
      this.typingTimers.set(
        `in:${e.contactId}`,
        setTimeout(() => this.set(e.contactId, (s) => ({ ...s, callerTyping: false })), 6000),
      );
    }
  };

  onMessageState = (e: AgentMessageStateEvent): void => {
    if (e.by !== 'caller') return;
    this.set(e.contactId, (s) =>
      e.readSeq <= s.callerReadSeq && e.deliveredSeq <= s.callerDeliveredSeq
        ? s
        : {
            ...s,
            callerReadSeq: Math.max(s.callerReadSeq, e.readSeq),
            callerDeliveredSeq: Math.max(s.callerDeliveredSeq, e.deliveredSeq),
          },
    );
  };

  onEnded = (e: AgentConversationEndedEvent): void => {
    this.set(e.contactId, (s) => ({ ...s, endedReason: e.reason, callerTyping: false }));
  };

  /** An offer with a transfer: its note travels with the contact to the panel (kept for this tab). */
  rememberOffer(offer: ContactOfferEvent): void {
    const t = offer.contact.transfer;
    if (!t) return;
    writeJson(TRANSFER_KEY(offer.contact.id), t);
    this.set(offer.contact.id, (s) => ({ ...s, transfer: t }));
  }

  // ---------------------------------------------------------------------------------------- operator → server

  /** Fetches what is missing (everything the first time), then sends the outbox. */
  async load(contactId: string): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return;
    const s = this.get(contactId);
    try {
      const ack = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('history:get', { contactId, afterSeq: lastSeq(s.timeline.messages) || undefined });
      if (ack.ok)
        this.set(contactId, (cur) => ({ ...cur, loaded: true, timeline: receive(cur.timeline, ack.messages) }));
    } catch {
      /* no answer: the next reconnect asks again */
    }
    void this.flush(contactId);
  }

  /** Queues a message; false when there is nothing to send or it is too long. */
  send(contactId: string, raw: string): boolean {
    const text = sendableText(raw);
    if (!text) return false;
    this.set(contactId, (s) => ({
      ...s,
      timeline: queue(s.timeline, { clientId: newClientId(), text, at: new Date().toISOString() }),
    }));
    this.typing(contactId, false);
    void this.flush(contactId);
    return true;
  }

  /** Sends the outbox in the order written, one at a time; what fails stays for the next reconnect. */
  async flush(contactId: string): Promise<string | null> {
    const socket = this.socket;
    if (this.flushing.has(contactId) || !socket?.connected) return null;
    this.flushing.add(contactId);
    try {
      for (;;) {
        const next = this.get(contactId).timeline.outbox[0];
        if (!next || !socket.connected) return null;
        let ack;
        try {
          ack = await socket
            .timeout(ACK_TIMEOUT_MS)
            .emitWithAck('message:send', { contactId, clientId: next.clientId, text: next.text });
        } catch {
          return null;
        }
        if (ack.ok) {
          this.set(contactId, (s) => ({
            ...s,
            timeline: acknowledge(s.timeline, next.clientId, {
              id: ack.id,
              seq: ack.seq,
              from: 'operator',
              text: next.text,
              at: next.at,
            }),
          }));
        } else if (ack.error.startsWith('rate_limited')) {
          setTimeout(() => void this.flush(contactId), 3000);
          return ack.error;
        } else {
          // refused for good (ended, too long, not this operator's contact): dropped, the panel says so
          this.set(contactId, (s) => ({
            ...s,
            timeline: { ...s.timeline, outbox: s.timeline.outbox.filter((o) => o.clientId !== next.clientId) },
          }));
          return ack.error;
        }
      }
    } finally {
      this.flushing.delete(contactId);
    }
  }

  /** Tells the caller the operator is typing (at most one event per change; stops by itself after 4 s). */
  typing(contactId: string, typing: boolean): void {
    const key = `out:${contactId}`;
    clearTimeout(this.typingTimers.get(key));
    if (typing)
      this.typingTimers.set(
        key,
        setTimeout(() => this.typing(contactId, false), 4000),
      );
    if (!this.socket?.connected || (this.sentTyping.get(contactId) ?? false) === typing) return;
    this.sentTyping.set(contactId, typing);
    this.socket.emit('typing', { contactId, typing }, () => undefined);
  }

  /** The operator has seen the conversation up to its last caller message. */
  markSeen(contactId: string): void {
    const s = this.get(contactId);
    const seq = lastSeq(s.timeline.messages.filter((m) => m.from === 'caller'));
    if (seq <= s.seenSeq || !this.socket?.connected) return;
    this.set(contactId, (cur) => ({ ...cur, seenSeq: seq }));
    this.socket.emit('message:read', { contactId, seq }, () => undefined);
  }

  /** Caller messages not yet seen (a tab's badge). */
  unread(contactId: string): number {
    const s = this.get(contactId);
    return s.timeline.messages.filter((m) => m.from === 'caller' && m.seq > s.seenSeq).length;
  }

  /** The contact left the operator: its state goes (the record keeps the transcript). */
  forget(contactId: string): void {
    this.states.delete(contactId);
    writeJson(OUTBOX_KEY(contactId), null);
    writeJson(TRANSFER_KEY(contactId), null);
    this.listeners.forEach((l) => l());
  }

  knownContacts(): string[] {
    return [...this.states.keys()];
  }
}

/**
 * The workspace's conversation store; `handlers` go into its `/agent` useSocket handlers (before the socket exists),
 * then useConversationSocket binds the socket.
 */
export function useConversationStore() {
  const store = useMemo(() => new ConversationStore(), []);
  const handlers = useMemo(
    () => ({
      message: store.onMessage,
      typing: store.onTyping,
      'message:state': store.onMessageState,
      'conversation:ended': store.onEnded,
    }),
    [store],
  );
  return { store, handlers };
}

/** Binds the `/agent` socket; after every (re)connect, what was missed is fetched and the outboxes sent. */
export function useConversationSocket(store: ConversationStore, socket: AgentSocket | null, status: ConnectionStatus) {
  store.socket = socket;
  useEffect(() => {
    if (status !== 'online') return;
    for (const id of store.knownContacts()) void store.load(id);
  }, [status, store, socket]);
}

/** One conversation's state, re-rendering when it changes. */
export function useConversation(store: ConversationStore, contactId: string): ConversationState {
  const get = useCallback(() => store.get(contactId), [store, contactId]);
  return useSyncExternalStore(store.subscribe, get);
}

/** Re-renders on any change of the store (tab badges). */
export function useStoreVersion(store: ConversationStore): number {
  const version = useRef(0);
  const get = useCallback(() => version.current, []);
  const subscribe = useCallback(
    (fn: () => void) =>
      store.subscribe(() => {
        version.current += 1;
        fn();
      }),
    [store],
  );
  return useSyncExternalStore(subscribe, get);
}
