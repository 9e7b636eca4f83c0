import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';

/**
 * A local stand-in for WeChat's servers, written from WeChat's public documentation (the real ones are on the
 * internet): the API Kapok calls — `GET /cgi-bin/token?grant_type=client_credential&appid&secret` →
 * `{ access_token, expires_in }` and `POST /cgi-bin/message/custom/send?access_token=…` with `{ touser, msgtype:
 * "text", text: { content } }` → `{ errcode: 0, errmsg: "ok" }`, with WeChat's errcodes (40013 invalid appid,
 * 40125 invalid appsecret, 40001 invalid credential, 42001 access_token expired, -1 system busy, 45015 response out
 * of time limit …) — and what WeChat does to a developer's server: signed (and, in 安全模式, encrypted) pushes.
 * It records what it received. Encryption here is written independently of libs/wechat, from the same documents.
 */
export interface StandInAccount {
  appId: string;
  secret: string;
  token: string;
  encodingAesKey?: string;
  /** The account's own user name (原始ID, gh_…), the ToUserName of its pushes. */
  ghId: string;
}

export interface ReceivedSend {
  appId: string;
  accessToken: string;
  body: { touser?: string; msgtype?: string; text?: { content?: string } };
}

type Canned = { status?: number; errcode?: number; errmsg?: string };

export class WechatStandIn {
  /** Every customer-service message accepted (errcode 0), in order. */
  readonly sent: ReceivedSend[] = [];
  /** Every custom/send request, accepted or not. */
  readonly sendAttempts: ReceivedSend[] = [];
  /** Token requests answered with a token, per AppID. */
  readonly tokensIssued = new Map<string, number>();
  private readonly tokens = new Map<string, { appId: string; expired: boolean }>();
  private readonly cannedSends: Canned[] = [];
  private server?: Server;
  url = '';

  constructor(private readonly accounts: StandInAccount[]) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Every token issued so far now answers 42001 (access_token expired), as after its 7200 s. */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expired = true;
  }

  /** The next custom/send requests answer these (an HTTP status, or a WeChat errcode), one each, in order. */
  failNextSends(...answers: Canned[]): void {
    this.cannedSends.push(...answers);
  }

  /** Waits until `n` messages were accepted. */
  async waitForSent(n: number, timeoutMs = 20_000): Promise<ReceivedSend[]> {
    const until = Date.now() + timeoutMs;
    while (this.sent.length < n) {
      if (Date.now() > until) throw new Error(`stand-in: ${this.sent.length} of ${n} messages after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.sent;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; encoding=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/cgi-bin/token') {
      const q = url.searchParams;
      if (q.get('grant_type') !== 'client_credential')
        return json(200, { errcode: 40002, errmsg: 'invalid grant_type' });
      const account = this.accounts.find((a) => a.appId === q.get('appid'));
      if (!account) return json(200, { errcode: 40013, errmsg: 'invalid appid' });
      if (account.secret !== q.get('secret')) return json(200, { errcode: 40125, errmsg: 'invalid appsecret' });
      const token = randomBytes(24).toString('hex');
      this.tokens.set(token, { appId: account.appId, expired: false });
      this.tokensIssued.set(account.appId, (this.tokensIssued.get(account.appId) ?? 0) + 1);
      return json(200, { access_token: token, expires_in: 7200 });
    }
    if (req.method === 'POST' && url.pathname === '/cgi-bin/message/custom/send') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const accessToken = url.searchParams.get('access_token') ?? '';
      const token = this.tokens.get(accessToken);
      let body: ReceivedSend['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return json(200, { errcode: 47001, errmsg: 'data format error' });
      }
      const received = { appId: token?.appId ?? '', accessToken, body };
      this.sendAttempts.push(received);
      if (!token)
        return json(200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
      if (token.expired) return json(200, { errcode: 42001, errmsg: 'access_token expired' });
      const canned = this.cannedSends.shift();
      if (canned?.status) return json(canned.status, { message: 'unavailable' });
      if (canned?.errcode) return json(200, { errcode: canned.errcode, errmsg: canned.errmsg ?? 'refused' });
      if (!body.touser) return json(200, { errcode: 40003, errmsg: 'invalid openid' });
      if (body.msgtype !== 'text' || typeof body.text?.content !== 'string') {
        return json(200, { errcode: 40008, errmsg: 'invalid message type' });
      }
      this.sent.push(received);
      return json(200, { errcode: 0, errmsg: 'ok' });
    }
    json(404, { errcode: 404, errmsg: 'not found' });
  }
}

// ------------------------------------------------------------------------------ WeChat's side of the webhook

export const sha1Signature = (...parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');

/** 安全模式: Base64(AES-256-CBC(random(16) ‖ len(4, big-endian) ‖ msg ‖ appid, PKCS#7 to 32)), key = B64(aesKey+'='). */
export function encryptForAccount(account: StandInAccount, message: string): string {
  const key = Buffer.from(`${account.encodingAesKey}=`, 'base64');
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(account.appId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    'base64',
  );
}

export function decryptForAccount(account: StandInAccount, encrypted: string): string {
  const key = Buffer.from(`${account.encodingAesKey}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const unpadded = plain.subarray(0, plain.length - plain[plain.length - 1]);
  const len = unpadded.readUInt32BE(16);
  if (unpadded.subarray(20 + len).toString() !== account.appId) throw new Error('reply made for another AppID');
  return unpadded.subarray(20, 20 + len).toString('utf8');
}

/** A text (or other) message as WeChat pushes it, plain XML. */
export function messageXml(
  account: StandInAccount,
  m: { openId: string; msgId: string; type?: string; content?: string },
): string {
  const createTime = Math.floor(Date.now() / 1000);
  const type = m.type ?? 'text';
  const payload =
    type === 'text'
      ? `<Content><![CDATA[${m.content ?? ''}]]></Content>`
      : type === 'image'
        ? `<PicUrl><![CDATA[http://example.invalid/p.jpg]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId>`
        : '';
  return (
    `<xml><ToUserName><![CDATA[${account.ghId}]]></ToUserName><FromUserName><![CDATA[${m.openId}]]></FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[${type}]]></MsgType>${payload}` +
    `<MsgId>${m.msgId}</MsgId></xml>`
  );
}

export interface PushOptions {
  /** 安全模式 (the account must have an EncodingAESKey). */
  aes?: boolean;
  /** Sign with this token instead of the account's. */
  token?: string;
  /** Sign with this msg_signature token instead (安全模式). */
  msgToken?: string;
  timestamp?: number;
  headers?: Record<string, string>;
}

/** The query string WeChat signs, for a body (its Encrypt in 安全模式). */
export function signedQuery(account: StandInAccount, opts: PushOptions = {}, encrypted?: string): URLSearchParams {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  const q = new URLSearchParams({
    signature: sha1Signature(opts.token ?? account.token, timestamp, nonce),
    timestamp,
    nonce,
  });
  if (encrypted !== undefined) {
    q.set('encrypt_type', 'aes');
    q.set('msg_signature', sha1Signature(opts.msgToken ?? opts.token ?? account.token, timestamp, nonce, encrypted));
  }
  return q;
}

/** POSTs a push to the webhook as WeChat does (text/xml), encrypted in 安全模式. */
export async function push(
  webhook: string,
  account: StandInAccount,
  xml: string,
  opts: PushOptions = {},
): Promise<{ status: number; text: string; contentType: string | null }> {
  let body = xml;
  let encrypted: string | undefined;
  if (opts.aes) {
    encrypted = encryptForAccount(account, xml);
    body = `<xml><ToUserName><![CDATA[${account.ghId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
  }
  const res = await fetch(`${webhook}?${signedQuery(account, opts, encrypted).toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml', ...opts.headers },
    body,
  });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}
