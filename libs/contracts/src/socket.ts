import type { SessionEndReason } from './enums';

/**
 * What both socket namespaces share. The event maps follow socket.io's typing: an interface from event name to
 * listener, used as `Namespace<ClientToServer, ServerToClient>` / `Socket<…>` by the gateway and as
 * `Socket<ServerToClient, ClientToServer>` (socket.io-client) by the console. A client → server event's last
 * parameter is its acknowledgement callback.
 */

/** A request that was not run or failed (`invalid_payload: …`, `rate_limited: …`, `internal_error`, …). */
export interface AckError {
  ok: false;
  error: string;
}

/** A client → server event's listener: its payload arguments, then its acknowledgement callback. */
export type AckedListener = (...args: any[]) => void;

/** The payload arguments of a client → server event: everything before its acknowledgement callback. */
export type PayloadOf<F extends AckedListener> = Parameters<F> extends [...infer P, (res: any) => void] ? P : never;

/** What the server acknowledges a client → server event with. */
export type AckOf<F extends AckedListener> = Parameters<F> extends [...any[], (res: infer R) => void] ? R : never;

/** `session:ended`: the socket's sign-in session ended; the server closes the socket right after. */
export interface SessionEndedEvent {
  reason: SessionEndReason;
}

/** Server → client events of every namespace. */
export interface SessionServerToClientEvents {
  'session:ended': (e: SessionEndedEvent) => void;
}
