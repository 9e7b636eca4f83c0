import { Server, Socket as NetSocket, connect, createServer } from 'node:net';
import { io, Socket } from 'socket.io-client';

/**
 * The clients of the product's processes, for the tests that restart them (test/support/processes.ts): an HTTP call
 * that retries on another gateway the way a telephony gateway does, a TCP balancer in front of the gateways for the
 * consoles' sockets, and a scripted operator's console that reconnects and finishes what it holds.
 */

export interface ApiAnswer {
  status: number;
  body: any;
  headers: Headers;
}

export async function api(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['x-api-key'] = opts.key;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the retrying calls saw on their way (for the test's report). */
export const retryStats = { unavailable: 0, refused: 0 };

/**
 * Like a telephony gateway: sends the request to one gateway; on 503 (waiting Retry-After) or a refused connection
 * (a gateway restarting) sends it again to the next one, until an answer that is neither, or `giveUpMs`.
 */
export async function apiRetrying(
  gateways: string[],
  first: number,
  method: string,
  path: string,
  opts: Parameters<typeof api>[3] = {},
  giveUpMs = 60_000,
): Promise<ApiAnswer> {
  const deadline = Date.now() + giveUpMs;
  for (let i = first; ; i++) {
    const base = gateways[i % gateways.length];
    try {
      const res = await api(base, method, path, opts);
      if (res.status !== 503 || Date.now() > deadline) return res;
      retryStats.unavailable++;
      await sleep(Math.min(2000, Number(res.headers.get('retry-after') ?? 1) * 1000));
    } catch (err) {
      if (Date.now() > deadline) throw err;
      retryStats.refused++;
      await sleep(200);
    }
  }
}

/**
 * A TCP balancer for the consoles' sockets: each new connection goes to the next gateway in turn, or to the one after
 * it when that one refuses (restarting). What a load balancer in front of several gateways does, minus health checks.
 */
export async function startBalancer(ports: number[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const open = new Set<NetSocket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.pause();
    const tryPort = (attempt: number) => {
      if (attempt >= ports.length * 3 || client.destroyed) return void client.destroy();
      const port = ports[next++ % ports.length];
      const upstream = connect({ port, host: '127.0.0.1' });
      upstream.once('error', () => setTimeout(() => tryPort(attempt + 1), 50));
      upstream.once('connect', () => {
        open.add(upstream);
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => {
          open.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryPort(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}

const OUTCOME = {
  serviceTypes: ['emotional_support'],
  targetGroup: 'elderly',
  summary: '滚动重启测试：倾听并安排社工回访。',
  problems: [{ category: 'emotional', resolution: 'resolved' }],
};

interface HeldContact {
  id: string;
  status: string;
}

/**
 * An operator's console, scripted, that survives its gateway going away: socket.io reconnects (to whichever gateway
 * `url` leads to); on every `agent:state` it sets itself available again if it was set away or offline, accepts an
 * open offer and finishes every contact it holds. Every offer is accepted; a contact is ended through the intake API
 * and its outcome recorded (both retried across the gateways); each contact is worked once.
 */
export class ReconnectingOperator {
  socket!: Socket;
  readonly handled: { id: string; at: number }[] = [];
  readonly problems: string[] = [];
  connects = 0;
  private readonly working = new Set<string>();
  private readonly work: Promise<void>[] = [];

  constructor(
    readonly username: string,
    private readonly url: string,
    private readonly token: string,
    private readonly gateways: string[],
    private readonly intakeKey: string,
    private readonly outcome: object = OUTCOME,
  ) {}

  async connect(): Promise<void> {
    this.socket = io(`${this.url}/agent`, {
      auth: { token: this.token },
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      forceNew: true,
    });
    const first = new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${this.username}: no agent:state within 15 s`)), 15_000);
      this.socket.once('agent:state', () => {
        clearTimeout(t);
        res();
      });
    });
    this.socket.on('agent:state', (state) => this.onState(state));
    this.socket.on('contact:offer', (offer) => this.accept(offer.offerId, offer.contact.id));
    this.socket.on('connect', () => this.connects++);
    await first;
  }

  private onState(state: {
    presence: string;
    offer: { offerId: string; contact: { id: string } } | null;
    contacts: HeldContact[];
  }) {
    if (state.presence === 'away' || state.presence === 'offline') {
      this.socket
        .timeout(10_000)
        .emitWithAck('presence:set', { status: 'available' })
        .catch(() => undefined); // the next agent:state tries again
    }
    if (state.offer) this.accept(state.offer.offerId, state.offer.contact.id);
    for (const c of state.contacts) this.finish(c.id, c.status === 'active');
  }

  private accept(offerId: string, contactId: string): void {
    if (this.working.has(contactId)) return;
    const p = this.socket
      .timeout(10_000)
      .emitWithAck('offer:accept', { offerId })
      .then((ack: { ok: boolean }) => {
        if (ack?.ok) this.finish(contactId, true);
      })
      .catch(() => undefined); // lost with the socket: the next agent:state says whether it was taken
    this.work.push(p);
  }

  private finish(id: string, active: boolean): void {
    if (this.working.has(id)) return;
    this.working.add(id);
    this.work.push(this.complete(id, active));
  }

  private async complete(id: string, active: boolean): Promise<void> {
    try {
      await sleep(5 + Math.random() * 30);
      const first = Math.floor(Math.random() * this.gateways.length);
      if (active) {
        const ended = await apiRetrying(this.gateways, first, 'POST', `/contacts/${id}/end`, { key: this.intakeKey });
        if (ended.status !== 200 && ended.status !== 409) {
          throw new Error(`end of ${id}: ${ended.status} ${JSON.stringify(ended.body)}`);
        }
      }
      const out = await apiRetrying(this.gateways, first + 1, 'POST', `/contacts/${id}/outcome`, {
        token: this.token,
        body: this.outcome,
      });
      if (out.status === 201) this.handled.push({ id, at: Date.now() });
      else if (out.status !== 409) throw new Error(`outcome of ${id}: ${out.status} ${JSON.stringify(out.body)}`);
    } catch (err) {
      this.problems.push((err as Error).message);
    }
  }

  async settle(): Promise<void> {
    while (this.work.length) await Promise.all(this.work.splice(0));
  }

  close(): void {
    this.socket?.disconnect();
  }
}
