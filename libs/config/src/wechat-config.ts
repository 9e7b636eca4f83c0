import { z } from 'zod';

/**
 * One WeChat Official Account (公众号) connected to a hotline line (docs/wechat.md). The values come from the
 * account's 微信开发者平台 page (基本配置 / 消息与事件推送):
 * - `appId` (开发者ID AppID) names the account in the webhook URL (`/api/wechat/<appId>`);
 * - `token` (令牌 Token) signs every push: WeChat allows 3–32 letters and digits; Kapok asks for at least 16 so that
 *   a signature cannot be guessed (a random 32 is best);
 * - `encodingAesKey` (消息加解密密钥, 43 characters): when set, only encrypted pushes (安全模式) are accepted;
 * - `secret` (开发者密码 AppSecret) fetches the access token that sends the operators' replies;
 * - `hotlineNumber`: the line whose contacts the account's messages become.
 */
export const wechatAccountSchema = z
  .object({
    appId: z.string().regex(/^wx[0-9a-zA-Z]{16}$/, 'must be an AppID: wx and 16 letters or digits'),
    token: z
      .string()
      .regex(/^[A-Za-z0-9]{16,32}$/, 'must be 16–32 letters or digits (WeChat allows at most 32; use random ones)'),
    encodingAesKey: z
      .string()
      .regex(/^[A-Za-z0-9]{43}$/, 'must be the 43 letters or digits of the EncodingAESKey')
      .optional(),
    secret: z.string().regex(/^[A-Za-z0-9]{16,64}$/, 'must be the AppSecret (letters and digits)'),
    hotlineNumber: z.string().min(1).max(32),
  })
  .strict();

export type WechatAccountConfig = z.infer<typeof wechatAccountSchema>;

/** `WECHAT_ACCOUNTS`: a JSON array of accounts, each AppID once; unset or empty, the adapter is off. */
export const wechatAccountsSchema = z
  .string()
  .optional()
  .transform((text, ctx): unknown => {
    if (text === undefined || text.trim() === '') return [];
    try {
      return JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of WeChat accounts (docs/wechat.md)' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(wechatAccountSchema)
      .max(50)
      .refine((accounts) => new Set(accounts.map((a) => a.appId)).size === accounts.length, {
        message: 'each appId at most once',
      }),
  );

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** WeChat's API origin: https (the default, WeChat's own), or plain http only to this machine (a stand-in). */
export const wechatApiBaseUrlSchema = z
  .string()
  .default('https://api.weixin.qq.com')
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
        return bare && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)));
      } catch {
        return false;
      }
    },
    { message: 'must be an https:// origin such as https://api.weixin.qq.com (http:// only to localhost)' },
  )
  .transform((value) => value.replace(/\/+$/, ''));
