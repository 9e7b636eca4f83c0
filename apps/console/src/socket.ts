import { useEffect, useRef, useState } from 'react';
import { io, Socket } from 'socket.io-client';
import type {
  AckError,
  AckedListener,
  AckOf,
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  MonitorClientToServerEvents,
  MonitorServerToClientEvents,
  PayloadOf,
  SessionServerToClientEvents,
} from '@kapok/contracts';
import { sessionEnded } from './api';

export type ConnectionStatus = 'connecting' | 'online' | 'offline';

/** The events of each namespace, both ways (@kapok/contracts). */
interface Namespaces {
  '/agent': { listen: AgentServerToClientEvents; emit: AgentClientToServerEvents };
  '/monitor': { listen: MonitorServerToClientEvents; emit: MonitorClientToServerEvents };
}
export type NamespaceSocket<N extends keyof Namespaces> = Socket<Namespaces[N]['listen'], Namespaces[N]['emit']>;
export type AgentSocket = NamespaceSocket<'/agent'>;
export type MonitorSocket = NamespaceSocket<'/monitor'>;

/** Listeners for some of a namespace's server → client events, each with its event's payload type. */
export type SocketHandlers<N extends keyof Namespaces> = Partial<Namespaces[N]['listen']>;

/**
 * A socket.io connection to one namespace that keeps itself up: socket.io reconnects by itself after a network
 * failure; a refusal by the server (its middleware, or a server-side disconnect) is retried here every few seconds,
 * except `unauthorized`, which signs out. The server closes the socket when its sign-in session ends
 * (`session:ended`): signed out elsewhere, revoked, expired or the account deactivated sign this tab out; `changed`
 * (the person's role or unit changed) reconnects at once, to the new scope. `handlers` may change between renders.
 */
export function useSocket<N extends keyof Namespaces>(
  namespace: N,
  token: string,
  handlers: SocketHandlers<N>,
  onUnauthorized: () => void,
): { socket: NamespaceSocket<N> | null; status: ConnectionStatus; error: string | null } {
  const [socket, setSocket] = useState<NamespaceSocket<N> | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [error, setError] = useState<string | null>(null);
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const unauthorizedRef = useRef(onUnauthorized);
  unauthorizedRef.current = onUnauthorized;

  useEffect(() => {
    // Both namespaces send `session:ended`; the rest goes to `handlers` by event name.
    const s: Socket<SessionServerToClientEvents> = io(`${window.location.origin}${namespace}`, {
      auth: { token },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    let retry: ReturnType<typeof setTimeout> | undefined;
    let rescoped = false;
    const retryLater = (ms = 3000) => {
      clearTimeout(retry);
      retry = setTimeout(() => s.connect(), ms);
    };
    s.on('session:ended', (e) => {
      const reason = String(e?.reason ?? '');
      if (reason === 'changed') rescoped = true;
      else sessionEnded(reason, token);
    });
    s.on('connect', () => {
      setStatus('online');
      setError(null);
    });
    s.on('disconnect', (reason) => {
      setStatus('offline');
      if (reason === 'io server disconnect') retryLater(rescoped ? 200 : 3000);
      rescoped = false;
    });
    s.on('connect_error', (err) => {
      setStatus('offline');
      if (err.message.startsWith('unauthorized')) return unauthorizedRef.current();
      if (err.message.startsWith('forbidden')) setError('当前账号无权使用此功能');
      else if (err.message === 'Invalid namespace') setError('实时服务暂不可用（服务器尚未提供该通道），稍后自动重试');
      if (!s.active) retryLater();
    });
    s.onAny((event: string, data: unknown) => {
      const handler = (handlersRef.current as Partial<Record<string, (data: unknown) => void>>)[event];
      handler?.(data);
    });
    // Browsers go offline without the socket noticing for a while: reconnect as soon as the network is back.
    const online = () => {
      if (s.connected) setStatus('online');
      else s.connect();
    };
    const offline = () => setStatus('offline');
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    setSocket(s as unknown as NamespaceSocket<N>);
    return () => {
      clearTimeout(retry);
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      s.removeAllListeners();
      s.disconnect();
      setSocket(null);
    };
  }, [namespace, token]);

  return { socket, status, error };
}

/**
 * emitWithAck with a timeout; a timeout or a lost connection is an `{ ok: false, error }` like the server's. The
 * event's name fixes the payload's and the answer's types.
 */
export async function ask<Events extends Record<keyof Events, AckedListener>, E extends keyof Events & string>(
  socket: Socket<any, Events> | null,
  event: E,
  ...payload: PayloadOf<Events[E]>
): Promise<AckOf<Events[E]> | AckError> {
  if (!socket?.connected) return { ok: false, error: 'offline' };
  try {
    // socket.io-client cannot follow a generic event name through its typings; the types above are the contract's.
    const timed = socket.timeout(8000) as unknown as { emitWithAck(ev: string, ...args: unknown[]): Promise<unknown> };
    return (await timed.emitWithAck(event, ...payload)) as AckOf<Events[E]>;
  } catch {
    return { ok: false, error: 'timeout' };
  }
}
