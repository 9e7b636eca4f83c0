import type { Socket } from 'socket.io';
import type { SessionEndReason } from '@kapok/auth';
import type { SessionServerToClientEvents } from '@kapok/contracts';

/**
 * A socket whose sign-in session ended (SessionWatch): the client is told why (`session:ended`, docs/socket-events.md)
 * and the socket is closed; the gateway's disconnect handler does the rest (an operator's open offer moves on).
 * The console signs out on `logout`, `revoked`, `expired`, `deactivated` and reconnects on `changed`.
 */
export function endSocketSession(
  socket: Pick<Socket<never, SessionServerToClientEvents>, 'emit' | 'disconnect'>,
  reason: SessionEndReason,
): void {
  socket.emit('session:ended', { reason });
  socket.disconnect(true);
}
