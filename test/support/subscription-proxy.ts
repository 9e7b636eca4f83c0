import { Server, Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of a Redis of the test's own, for the stack's REDIS_URL, that can keep the socket.io
 * adapters' subscription from coming back: while `hold` is on, a connection that sends PSUBSCRIBE (the adapter's
 * pattern subscription to every room's channel) has that command, and whatever follows it on that connection, held
 * until `release`. Everything else passes. So after Redis restarts, the routers' and gateways' other connections are
 * back while the gateway is not yet subscribed again: the moment in which the fault trial's offers were lost,
 * stretched as long as the test needs.
 */
export interface SubscriptionProxy {
  /** redis://127.0.0.1:<port>/0 of the proxy. */
  url: string;
  /** Holds every PSUBSCRIBE from now on (connections that subscribed already keep their subscription). */
  hold(): void;
  /** Lets the held subscriptions through, and every later one. */
  release(): void;
  /** How many connections have a PSUBSCRIBE held now. */
  held(): number;
  close(): Promise<void>;
}

const PSUBSCRIBE = /\r\npsubscribe\r\n/i;

export async function startSubscriptionProxy(redisPort: number): Promise<SubscriptionProxy> {
  let holding = false;
  const waiting = new Set<() => void>();
  const sockets = new Set<Socket>();

  // Half-open both ways, as a direct connection is: a client that ends its side still gets the replies to what it
  // sent last (ioredis unsubscribes, then ends at once).
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ port: redisPort, host: '127.0.0.1', allowHalfOpen: true });
    sockets.add(client).add(upstream);
    let buffered: Buffer[] | undefined; // set while this connection's PSUBSCRIBE is held
    const flush = () => {
      waiting.delete(flush);
      const chunks = buffered ?? [];
      buffered = undefined;
      for (const c of chunks) upstream.write(c);
    };
    const forget = () => {
      waiting.delete(flush);
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk) => {
      if (!buffered && holding && PSUBSCRIBE.test(chunk.toString('latin1'))) {
        buffered = [];
        waiting.add(flush);
      }
      if (buffered) buffered.push(chunk);
      else upstream.write(chunk);
    });
    // Ends are passed on gracefully, so the last bytes (QUIT's +OK as a client closes) still arrive; errors (Redis
    // killed, or not listening) cut both sides, and the client reconnects as it would to Redis itself.
    upstream.pipe(client);
    client.on('end', () => upstream.end());
    const cut = () => {
      forget();
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', () => {
      forget();
      client.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    url: `redis://127.0.0.1:${port}/0`,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const flush of [...waiting]) flush();
    },
    held: () => waiting.size,
    close: async () => {
      holding = false;
      waiting.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
