import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type {
  ChatClientToServerEvents,
  ChatMessage,
  ChatServerToClientEvents,
  ChatSessionBody,
  ChatSessionCreated,
  ConversationEndReason,
  QueuePositionEvent,
} from '@kapok/contracts';
import {
  acknowledge,
  emptyTimeline,
  lastSeq,
  newClientId,
  queue,
  receive,
  sendableText,
  type Timeline,
} from './messages';
import { browserStore, loadResume, type ResumeState, saveResume } from './resume';

type ChatSocket = Socket<ChatServerToClientEvents, ChatClientToServerEvents>;

export type CallerPhase = 'intro' | 'waiting' | 'talking' | 'ended';
export type Connection = 'connecting' | 'online' | 'offline';

export interface CallerConversation {
  phase: CallerPhase;
  connection: Connection;
  timeline: Timeline<ChatMessage>;
  queue: (QueuePositionEvent & { receivedAt: number }) | null;
  operatorTyping: boolean;
  /** Every caller message with seq ≤ this was read by the social worker. */
  readSeq: number;
  endedReason: ConversationEndReason | null;
  /** A sentence for the person (a refused start, a message the server would not take …), or null. */
  notice: string | null;
  starting: boolean;
  start(body: Omit<ChatSessionBody, 'hotlineNumber'>): Promise<void>;
  send(text: string): boolean;
  setTyping(typing: boolean): void;
  end(): Promise<boolean>;
  restart(): void;
}

const ACK_TIMEOUT_MS = 10_000;

/** Why `POST /api/chat/sessions` was refused, for the person. */
function startRefusal(status: number): string {
  if (status === 404) return '找不到这条热线，请确认链接是否正确。';
  if (status === 409) return '这条热线暂停服务，请拨打其他热线或稍后再试。';
  if (status === 429) return '请求太频繁了，请稍等一分钟再试。';
  if (status === 400) return '填写的内容有误，请刷新页面后重试。';
  return '服务暂时不可用，请稍后再试。';
}

/**
 * One person's web chat on a hotline line: starting it, the socket to `/chat` (reconnecting by itself), the messages
 * both ways and what survives a reload (resume.ts). Messages go out one at a time in the order written, each with
 * its clientId, and stay in the outbox until acknowledged, so a lost connection or a reload resends them without a
 * duplicate; after every (re)connect, `history:get` fetches what was missed.
 */
export function useCallerConversation(line: string): CallerConversation {
  const store = useRef(browserStore()).current;
  const [resume, setResume] = useState<ResumeState | null>(() => loadResume(store, line));
  const [phase, setPhase] = useState<CallerPhase>(resume ? 'waiting' : 'intro');
  const [connection, setConnection] = useState<Connection>('connecting');
  const [timeline, setTimeline] = useState<Timeline<ChatMessage>>(() => ({
    ...emptyTimeline<ChatMessage>(),
    outbox: resume?.outbox ?? [],
  }));
  const [queuePosition, setQueuePosition] = useState<CallerConversation['queue']>(null);
  const [operatorTyping, setOperatorTyping] = useState(false);
  const [readSeq, setReadSeq] = useState(0);
  const [endedReason, setEndedReason] = useState<ConversationEndReason | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const socketRef = useRef<ChatSocket | null>(null);
  const timelineRef = useRef(timeline);
  timelineRef.current = timeline;
  const flushing = useRef(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const sentTyping = useRef(false);
  const lastRead = useRef(0);
  const lastDelivered = useRef(0);

  /** The timeline changes here only, so that the outbox in storage is always the one shown. */
  const update = useCallback(
    (fn: (t: Timeline<ChatMessage>) => Timeline<ChatMessage>) => {
      const next = fn(timelineRef.current);
      if (next === timelineRef.current) return;
      timelineRef.current = next;
      setTimeline(next);
      setResume((r) => {
        if (!r) return r;
        const saved = { ...r, outbox: next.outbox };
        saveResume(store, line, saved);
        return saved;
      });
    },
    [line, store],
  );

  const finish = useCallback(
    (reason: ConversationEndReason) => {
      setEndedReason(reason);
      setPhase('ended');
      setOperatorTyping(false);
      saveResume(store, line, null); // the token is of no further use; nothing of the conversation stays here
      socketRef.current?.disconnect();
    },
    [line, store],
  );

  /** Sends the outbox, oldest first, one at a time (the order written is the order stored). */
  const flush = useCallback(async () => {
    const s = socketRef.current;
    if (flushing.current || !s?.connected) return;
    flushing.current = true;
    try {
      for (;;) {
        const next = timelineRef.current.outbox[0];
        if (!next || !s.connected) return;
        let ack;
        try {
          ack = await s
            .timeout(ACK_TIMEOUT_MS)
            .emitWithAck('message:send', { clientId: next.clientId, text: next.text });
        } catch {
          return; // no answer: it stays in the outbox and goes again after the reconnect
        }
        if (ack.ok) {
          update((t) =>
            acknowledge(t, next.clientId, { id: ack.id, seq: ack.seq, from: 'caller', text: next.text, at: next.at }),
          );
        } else if (ack.error === 'conversation_ended') {
          update((t) => ({ ...t, outbox: [] }));
          return finish('completed');
        } else if (ack.error.startsWith('rate_limited')) {
          setNotice('发送太快了，请稍等片刻。');
          setTimeout(() => void flush(), 3000);
          return;
        } else {
          // refused for good (too long, malformed): it will never go, say so and drop it
          update((t) => ({ ...t, outbox: t.outbox.filter((o) => o.clientId !== next.clientId) }));
          setNotice(
            ack.error.startsWith('text_too_long') ? '消息太长了，请分几条发送。' : '有一条消息未能发送，请重新输入。',
          );
        }
      }
    } finally {
      flushing.current = false;
    }
  }, [finish, update]);

  // The socket, for as long as there is a conversation to resume.
  const token = resume?.resumeToken ?? null;
  useEffect(() => {
    if (!token) return;
    const s: ChatSocket = io(`${window.location.origin}/chat`, {
      auth: { resumeToken: token },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      timeout: 15_000,
    });
    socketRef.current = s;
    let retry: ReturnType<typeof setTimeout> | undefined;
    setConnection('connecting');
    s.on('connect', async () => {
      setConnection('online');
      try {
        const ack = await s
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('history:get', { afterSeq: lastSeq(timelineRef.current.messages) || undefined });
        if (ack.ok) update((t) => receive(t, ack.messages));
      } catch {
        /* a slow link: the messages arrive by themselves or at the next reconnect */
      }
      void flush();
    });
    s.on('disconnect', (reason) => {
      setConnection('offline');
      setOperatorTyping(false);
      // the server closed it (e.g. restarted): socket.io does not retry that by itself
      if (reason === 'io server disconnect') retry = setTimeout(() => s.connect(), 2000);
    });
    s.on('connect_error', (err) => {
      setConnection('offline');
      const m = err.message ?? '';
      if (/resume|token|unauthori[sz]ed|not_found|unknown/i.test(m)) {
        // this token no longer opens a conversation (ended and cleaned up, or never valid): start afresh
        saveResume(store, line, null);
        setResume(null);
        setPhase('intro');
        setNotice('之前的会话已结束或已失效，如需帮助请重新开始。');
        s.disconnect();
        return;
      }
      if (!s.active) retry = setTimeout(() => s.connect(), 3000);
    });
    s.on('message', (m) => {
      update((t) => receive(t, [m]));
      if (m.from === 'operator') setOperatorTyping(false);
    });
    s.on('queue:position', (q) => setQueuePosition({ ...q, receivedAt: Date.now() }));
    // waiting in the queue (again after a transfer) or talking with a social worker; an end comes as its own event
    s.on('conversation:state', (e) => {
      if (e.status === 'waiting' || e.status === 'talking') setPhase((p) => (p === 'ended' ? p : e.status));
      if (e.status === 'talking') setQueuePosition(null);
    });
    s.on('typing', (e) => {
      if (e.from === 'operator') setOperatorTyping(e.typing);
    });
    s.on('message:state', (e) => {
      if (e.by === 'operator') setReadSeq((r) => Math.max(r, e.readSeq));
    });
    s.on('conversation:ended', (e) => finish(e.reason));
    const online = () => {
      if (!s.connected) s.connect();
    };
    const offline = () => setConnection('offline');
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      clearTimeout(retry);
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      s.removeAllListeners();
      s.disconnect();
      if (socketRef.current === s) socketRef.current = null;
    };
  }, [token, line, store, update, flush, finish]);

  // Tells the social worker what reached this page, and what this person has read: what is shown while the page is
  // in front.
  useEffect(() => {
    const s = socketRef.current;
    const seen = lastSeq(timeline.messages.filter((m) => m.from !== 'caller'));
    if (!s?.connected) return;
    if (seen > lastDelivered.current) {
      lastDelivered.current = seen;
      s.emit('message:delivered', { seq: seen }, () => undefined);
    }
    if (seen <= lastRead.current) return;
    const mark = () => {
      if (document.visibilityState !== 'visible' || seen <= lastRead.current) return;
      lastRead.current = seen;
      s.emit('message:read', { seq: seen }, () => undefined);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [timeline.messages, connection]);

  const start = useCallback(
    async (body: Omit<ChatSessionBody, 'hotlineNumber'>) => {
      setStarting(true);
      setNotice(null);
      try {
        const res = await fetch('/api/chat/sessions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ hotlineNumber: line, ...body } satisfies ChatSessionBody),
        });
        if (!res.ok) return setNotice(startRefusal(res.status));
        const created = (await res.json()) as ChatSessionCreated;
        const state: ResumeState = { ...created, outbox: [] };
        saveResume(store, line, state);
        lastRead.current = 0;
        lastDelivered.current = 0;
        timelineRef.current = emptyTimeline();
        setTimeline(timelineRef.current);
        setReadSeq(0);
        setQueuePosition(null);
        setEndedReason(null);
        setResume(state);
        setPhase('waiting');
      } catch {
        setNotice('网络不稳定，未能连接到服务，请检查网络后重试。');
      } finally {
        setStarting(false);
      }
    },
    [line, store],
  );

  const setTyping = useCallback((typing: boolean) => {
    const s = socketRef.current;
    clearTimeout(typingTimer.current);
    if (typing) typingTimer.current = setTimeout(() => setTypingRef.current(false), 4000);
    if (!s?.connected || sentTyping.current === typing) return;
    sentTyping.current = typing;
    s.emit('typing', { typing }, () => undefined);
  }, []);
  const setTypingRef = useRef(setTyping);
  setTypingRef.current = setTyping;

  const send = useCallback(
    (raw: string) => {
      const text = sendableText(raw);
      if (!text) {
        if (raw.trim()) setNotice('消息太长了，请分几条发送。');
        return false;
      }
      setNotice(null);
      update((t) => queue(t, { clientId: newClientId(), text, at: new Date().toISOString() }));
      setTyping(false);
      void flush();
      return true;
    },
    [flush, setTyping, update],
  );

  const end = useCallback(async () => {
    const s = socketRef.current;
    if (!s?.connected) {
      setNotice('网络未连接，请恢复网络后再结束会话。');
      return false;
    }
    try {
      const ack = await s.timeout(ACK_TIMEOUT_MS).emitWithAck('conversation:end', {});
      if (!ack.ok && ack.error !== 'conversation_ended') {
        setNotice('暂时无法结束会话，请稍后再试。');
        return false;
      }
    } catch {
      setNotice('网络不稳定，请稍后再试。');
      return false;
    }
    finish(phase === 'waiting' ? 'abandoned' : 'caller_ended');
    return true;
  }, [finish, phase]);

  const restart = useCallback(() => {
    saveResume(store, line, null);
    setResume(null);
    timelineRef.current = emptyTimeline();
    setTimeline(timelineRef.current);
    setEndedReason(null);
    setNotice(null);
    setPhase('intro');
  }, [line, store]);

  return {
    phase,
    connection,
    timeline,
    queue: queuePosition,
    operatorTyping,
    readSeq,
    endedReason,
    notice,
    starting,
    start,
    send,
    setTyping,
    end,
    restart,
  };
}
