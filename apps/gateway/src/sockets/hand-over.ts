import type { Namespace } from 'socket.io';

/** How long a shutting-down gateway waits for its sockets to close and their disconnects to be written. */
export const HAND_OVER_TIMEOUT_MS = 5_000;

/**
 * Closes every connection of the namespace at the transport (no socket.io DISCONNECT packet, which would tell the
 * client not to come back): the clients see "transport close" and reconnect by themselves, to another gateway
 * behind the balancer. Resolves once every socket has gone and `settled` (the disconnect handlers) has resolved,
 * or after HAND_OVER_TIMEOUT_MS.
 */
export async function handOverSockets(nsp: Pick<Namespace, 'sockets'>, settled: () => Promise<unknown>): Promise<void> {
  for (const socket of nsp.sockets.values()) socket.conn.close();
  const deadline = Date.now() + HAND_OVER_TIMEOUT_MS;
  while (nsp.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    settled(),
    new Promise((r) => {
      timer = setTimeout(r, Math.max(0, deadline - Date.now()));
    }),
  ]).finally(() => clearTimeout(timer));
}
