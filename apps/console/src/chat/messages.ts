import { MESSAGE_MAX_CHARS } from '@kapok/contracts';

/**
 * The message list of one conversation as either side keeps it, free of React and of the socket: messages the
 * server has (an id and a per-conversation seq), ordered by seq and never twice, plus the person's own messages not
 * yet acknowledged (the outbox: a clientId each, resent with the same clientId after a reconnect or a reload, which
 * the server does not duplicate).
 */

/** A message as the server sends it (`message` on /chat and /agent, `history:get`). */
export interface StoredMessage {
  id: string;
  seq: number;
  from: string;
  text: string;
  at: string;
  /** When the server says which clientId a message was sent with (the sender's own echo). */
  clientId?: string;
}

/** A message written here and not yet acknowledged by the server. */
export interface OutgoingMessage {
  clientId: string;
  text: string;
  /** When it was written (ISO), for display only. */
  at: string;
}

export interface Timeline<M extends StoredMessage = StoredMessage> {
  messages: M[];
  outbox: OutgoingMessage[];
}

export const emptyTimeline = <M extends StoredMessage>(): Timeline<M> => ({ messages: [], outbox: [] });

/** The messages of both lists in seq order, each id once (a later copy of an id replaces the earlier one). */
export function mergeMessages<M extends StoredMessage>(current: readonly M[], incoming: readonly M[]): M[] {
  if (!incoming.length) return current as M[];
  const byId = new Map<string, M>();
  for (const m of current) byId.set(m.id, m);
  for (const m of incoming) {
    if (isStoredMessage(m)) byId.set(m.id, m);
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq || a.id.localeCompare(b.id));
}

/** Messages from the server join the timeline; an outbox entry they answer (same clientId) leaves it. */
export function receive<M extends StoredMessage>(t: Timeline<M>, incoming: readonly M[]): Timeline<M> {
  const messages = mergeMessages(t.messages, incoming);
  const answered = new Set(incoming.map((m) => m.clientId).filter((c): c is string => !!c));
  const outbox = answered.size ? t.outbox.filter((o) => !answered.has(o.clientId)) : t.outbox;
  return messages === t.messages && outbox === t.outbox ? t : { messages, outbox };
}

/** A message the person wrote: into the outbox until the server acknowledges it. */
export function queue<M extends StoredMessage>(t: Timeline<M>, out: OutgoingMessage): Timeline<M> {
  if (t.outbox.some((o) => o.clientId === out.clientId)) return t;
  return { ...t, outbox: [...t.outbox, out] };
}

/** The server acknowledged `clientId` as message `id`/`seq`: it leaves the outbox and takes its place by seq. */
export function acknowledge<M extends StoredMessage>(t: Timeline<M>, clientId: string, stored: M): Timeline<M> {
  return {
    messages: mergeMessages(t.messages, [stored]),
    outbox: t.outbox.filter((o) => o.clientId !== clientId),
  };
}

/** The highest seq held (0 for none): what `history:get { afterSeq }` asks after. */
export function lastSeq(messages: readonly StoredMessage[]): number {
  return messages.reduce((max, m) => (m.seq > max ? m.seq : max), 0);
}

/** True for a well-formed message from the server (anything else is ignored rather than shown). */
export function isStoredMessage(m: unknown): m is StoredMessage {
  const v = m as Partial<StoredMessage> | null;
  return (
    !!v &&
    typeof v.id === 'string' &&
    typeof v.seq === 'number' &&
    Number.isFinite(v.seq) &&
    typeof v.text === 'string' &&
    typeof v.from === 'string'
  );
}

/** A new clientId: random, so that two tabs or a reload never reuse one. */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Text as it may be sent: trimmed, within `max` characters (the server refuses longer); null when nothing is left. */
export function sendableText(text: string, max = MESSAGE_MAX_CHARS): string | null {
  const t = text.trim();
  if (!t) return null;
  return t.length > max ? null : t;
}
