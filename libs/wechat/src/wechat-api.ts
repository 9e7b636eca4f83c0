import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kapok/config';
import { RedisClient } from '@kapok/realtime';
import type { WechatAccount } from './wechat-accounts';

/** errcodes that mean "this access token is no longer good" (invalid / expired / not the latest). */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);
/** errcodes worth another try later (WeChat busy, rate limits); any other non-zero errcode is final for the message. */
export const TRANSIENT_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45011]);

/** How long a request to WeChat may take before it counts as failed (and is tried again by the job). */
const REQUEST_TIMEOUT_MS = 10_000;
/** A token is used until this long before WeChat says it expires (it gives 7200 s). */
const TOKEN_MARGIN_SECONDS = 300;

/** WeChat answered, but not with success: `errcode` is WeChat's (0 never), `transient` when a retry may work. */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number | null,
    readonly transient: boolean,
    message: string,
  ) {
    super(message);
  }
}

interface WechatReply {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
}

/**
 * WeChat's server API, behind one class: the access token (`GET {base}/cgi-bin/token?grant_type=client_credential
 * &appid&secret`, kept in Redis for every process until shortly before it expires) and the customer-service
 * message (`POST {base}/cgi-bin/message/custom/send?access_token=…` with `{ touser, msgtype: "text", text: {
 * content } }`). A token WeChat refuses (40001, 40014, 42001) is fetched again and the message sent once more.
 * The base URL is WECHAT_API_BASE_URL. Nothing of a request (OpenID, text, secret, token) is ever logged.
 */
@Injectable()
export class WechatApi {
  private readonly logger = new Logger(WechatApi.name);
  private readonly base: string;
  /** Token fetches in flight, one per account (several sends at once fetch once). */
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(
    config: AppConfig,
    private readonly redis: RedisClient,
  ) {
    this.base = config.get('WECHAT_API_BASE_URL');
  }

  async sendText(account: WechatAccount, openId: string, content: string): Promise<void> {
    const send = async (token: string) =>
      this.call(`/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ touser: openId, msgtype: 'text', text: { content } }),
      });
    const token = await this.token(account);
    let reply = await send(token);
    if (reply.errcode && TOKEN_ERRCODES.has(reply.errcode)) {
      this.logger.warn(`WeChat refused the access token of ${account.appId} (errcode ${reply.errcode}); refreshing`);
      await this.forgetToken(account, token);
      reply = await send(await this.token(account));
    }
    if (reply.errcode) throw errorOf(reply);
  }

  /** The account's access token: from Redis, or fetched from WeChat and kept there. */
  async token(account: WechatAccount): Promise<string> {
    const cached = await this.redis.client.get(this.tokenKey(account));
    if (cached) return cached;
    let inFlight = this.fetching.get(account.appId);
    if (!inFlight) {
      inFlight = this.fetchToken(account).finally(() => this.fetching.delete(account.appId));
      this.fetching.set(account.appId, inFlight);
    }
    return inFlight;
  }

  private async fetchToken(account: WechatAccount): Promise<string> {
    const query = new URLSearchParams({
      grant_type: 'client_credential',
      appid: account.appId,
      secret: account.secret,
    });
    const reply = await this.call(`/cgi-bin/token?${query.toString()}`, { method: 'GET' });
    if (reply.errcode || typeof reply.access_token !== 'string' || !reply.access_token) {
      throw errorOf(reply.errcode ? reply : { errcode: undefined, errmsg: 'no access_token in the answer' });
    }
    const ttl = Math.max(60, Math.min(Number(reply.expires_in) || 7200, 7200) - TOKEN_MARGIN_SECONDS);
    await this.redis.client.set(this.tokenKey(account), reply.access_token, 'EX', ttl);
    return reply.access_token;
  }

  /** Drops the cached token if it is still the one WeChat refused (another process may have refreshed it already). */
  private async forgetToken(account: WechatAccount, refused: string): Promise<void> {
    const key = this.tokenKey(account);
    if ((await this.redis.client.get(key)) === refused) await this.redis.client.del(key);
  }

  private tokenKey(account: WechatAccount): string {
    return `${this.redis.prefix}:wechat:token:${account.appId}`;
  }

  /** One request; a network failure, a timeout or a non-2xx answer is a transient WechatApiError. */
  private async call(path: string, init: RequestInit): Promise<WechatReply> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new WechatApiError(null, true, `WeChat API unreachable (${(err as Error).name})`);
    }
    if (!res.ok) throw new WechatApiError(null, true, `WeChat API answered HTTP ${res.status}`);
    try {
      return (await res.json()) as WechatReply;
    } catch {
      throw new WechatApiError(null, true, 'WeChat API answered something that is not JSON');
    }
  }
}

function errorOf(reply: WechatReply): WechatApiError {
  const code = typeof reply.errcode === 'number' ? reply.errcode : null;
  // errmsg is WeChat's own text (it may echo a request id); no content of ours is in it.
  const text = `WeChat errcode ${code ?? '?'}: ${String(reply.errmsg ?? '').slice(0, 120)}`;
  return new WechatApiError(code, code === null || TRANSIENT_ERRCODES.has(code) || TOKEN_ERRCODES.has(code), text);
}
