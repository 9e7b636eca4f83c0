import { BadRequestException, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { MESSAGE_MAX_CHARS } from '@kapok/contracts';
import { Clock } from '@kapok/common';
import { WechatAccount } from '../wechat-accounts';
import { WECHAT_CLIENT_ID_PREFIX, WechatConversations } from '../wechat-conversations.port';
import { WechatCryptoError } from '../wechat-message-crypto';
import { WechatMetrics } from '../wechat-metrics';
import { WechatOpenIds } from '../wechat-openid';
import { WechatPushQuery, WechatPushVerifier, invalid } from '../wechat-push-verifier';
import { WechatRepository } from '../wechat.repository';
import { signatureMatches, wechatSignature } from '../wechat-signature';
import { WechatXmlError, buildWechatXml, parseWechatXml } from '../wechat-xml';

/** What the person is told when they send what Kapok cannot show (a picture, a voice message …). */
export const ONLY_TEXT_REPLY = '您好，我们目前只能接收文字消息。请用文字告诉我们您的情况，社工会尽快回复您。';
/** What the operator sees in the conversation instead. */
export const NON_TEXT_NOTE = (kind: string) =>
  `对方发来一条${KIND_NAMES[kind] ?? '非文字'}消息，系统无法显示，已请对方改用文字。`;
const KIND_NAMES: Record<string, string> = {
  image: '图片',
  voice: '语音',
  video: '视频',
  shortvideo: '小视频',
  location: '位置',
  link: '链接',
  file: '文件',
};
const TRUNCATED = '…（消息过长，已截断）';

/** A push's parsed fields, the ones Kapok reads. */
interface Push {
  to: string;
  from: string;
  type: string;
  msgId: string;
  content: string;
}

/**
 * A push of WeChat to `POST /api/wechat/:appId` (消息接入), answered within WeChat's 5 s:
 * - signature checked (401), then in 安全模式 (an account with an EncodingAESKey: only encrypted pushes are taken)
 *   `msg_signature = sha1(sort(token, timestamp, nonce, Encrypt))` and the decryption (401);
 * - XML without DOCTYPE or entities, well formed (400); a body over 64 KB is refused before parsing (413);
 * - taken in once per MsgId (WeChat retries a push 3 times): a redelivery changes nothing and answers the same;
 * - a text message from an OpenID opens a `wechat` contact and conversation on the account's line, or is added to
 *   the user's open conversation; other messages are answered with a polite request for text (a passive reply,
 *   encrypted in 安全模式) and noted in an open conversation; events are acknowledged and ignored.
 * The OpenID and the text are never logged; the OpenID is kept only hashed and encrypted (WechatOpenIds).
 */
@Injectable()
export class ReceiveWechatPush {
  constructor(
    private readonly verifier: WechatPushVerifier,
    private readonly conversations: WechatConversations,
    private readonly repository: WechatRepository,
    private readonly openIds: WechatOpenIds,
    private readonly metrics: WechatMetrics,
    private readonly clock: Clock,
  ) {}

  /**
   * The answer's body: `success`, or a passive reply's XML. `readBody` is called only once the signature is valid
   * (nobody unauthenticated has a body read).
   */
  async execute(appId: string, query: WechatPushQuery, readBody: () => Promise<string>): Promise<string> {
    const { account, timestamp, nonce } = this.verifier.verify(appId, query);
    const body = await readBody();
    const push = this.read(account, query, body, timestamp, nonce);
    if (!push) return 'success';
    if (push.to && !/^[\w-]{1,64}$/.test(push.to)) throw new BadRequestException('ToUserName: 格式不对');
    const outcome = await this.takeIn(account, push);
    this.metrics.inbound(outcome);
    if (outcome !== 'non_text') return 'success';
    return this.passiveReply(account, push, ONLY_TEXT_REPLY);
  }

  /** The push's fields (null for what Kapok does not take: events), after the 安全模式 checks. */
  private read(account: WechatAccount, query: WechatPushQuery, body: string, timestamp: string, nonce: string) {
    let fields = parse(body);
    if (account.crypto) {
      // 安全模式: only the encrypted body counts (in 兼容模式 WeChat sends both; the clear copy is ignored).
      const encrypted = fields.Encrypt;
      if (query.encrypt_type !== 'aes' || !encrypted) throw invalid();
      if (!signatureMatches(query.msg_signature, account.token, timestamp, nonce, encrypted)) throw invalid();
      try {
        fields = parse(account.crypto.decrypt(encrypted));
      } catch (err) {
        if (err instanceof WechatCryptoError) throw invalid();
        throw err;
      }
    }
    const type = fields.MsgType;
    const from = fields.FromUserName;
    if (!type || !from) throw new BadRequestException('MsgType, FromUserName: 缺少');
    if (!/^[\w-]{1,64}$/.test(from)) throw new BadRequestException('FromUserName: 格式不对');
    if (type === 'event') return null;
    // Dedup key: the MsgId; WeChat's advice for pushes without one is FromUserName + CreateTime.
    const msgId = fields.MsgId ?? (fields.CreateTime ? `t${fields.CreateTime}:${from}` : undefined);
    if (!msgId || msgId.length > 64 || !/^[\w:-]+$/.test(msgId)) throw new BadRequestException('MsgId: 缺少或格式不对');
    if (type === 'text' && typeof fields.Content !== 'string') throw new BadRequestException('Content: 缺少');
    return { to: fields.ToUserName ?? '', from, type, msgId, content: fields.Content ?? '' } satisfies Push;
  }

  /**
   * Takes a push in under the user's lock. The lock's transaction holds a connection while the conversations' use-cases
   * take others: at most TAKE_IN_AT_ONCE pushes at once per process, so a burst can never hold every connection of
   * the pool and wait for one (the others queue here for a moment).
   */
  private async takeIn(account: WechatAccount, push: Push): Promise<'text' | 'non_text' | 'duplicate'> {
    await this.slots.acquire();
    try {
      return await this.takeInLocked(account, push);
    } finally {
      this.slots.release();
    }
  }

  private readonly slots = new Slots(TAKE_IN_AT_ONCE);

  private async takeInLocked(account: WechatAccount, push: Push): Promise<'text' | 'non_text' | 'duplicate'> {
    const openIdHash = this.openIds.hash(account.appId, push.from);
    return this.repository.withUserLock(account.appId, openIdHash, async (tx) => {
      if (await this.repository.alreadyReceived(account.appId, push.msgId, tx)) {
        return push.type === 'text' ? 'duplicate' : 'non_text';
      }
      let link = await this.repository.latestLink(account.appId, openIdHash, tx);
      if (link && !(await this.conversations.isOpen(link.conversation_id))) link = undefined;
      const clientId = `${WECHAT_CLIENT_ID_PREFIX}${push.msgId}`;
      if (push.type === 'text') {
        const text = fit(push.content);
        if (!text.trim()) throw new BadRequestException('Content: 为空');
        for (let attempt = 1; ; attempt++) {
          if (!link) {
            const opened = await this.conversations.open({
              hotlineNumber: account.hotlineNumber,
              externalId: `wechat:${account.appId}:${push.msgId}${attempt > 1 ? `:${attempt}` : ''}`,
            });
            const id = randomUUID();
            // Committed on its own, not in the lock's transaction: its foreign key would hold a share lock on the
            // conversation's row that the message's append (FOR UPDATE of that row) would wait for.
            link = await this.repository.link({
              id,
              appId: account.appId,
              openidHash: openIdHash,
              openidEnc: this.openIds.encrypt(id, push.from),
              ...opened,
            });
          }
          const stored = await this.conversations.callerMessage(link.conversation_id, clientId, text);
          if (stored === 'stored') break;
          // It ended between the check and the message (idle close, the operator): a new conversation, once.
          if (attempt >= 2) throw new Error('a new WeChat conversation ended at once');
          link = undefined;
        }
      } else if (link) {
        await this.conversations.systemNote(link.conversation_id, clientId, NON_TEXT_NOTE(push.type));
      }
      await this.repository.markReceived(account.appId, push.msgId, link?.id ?? null, tx);
      return push.type === 'text' ? 'text' : 'non_text';
    });
  }

  /** A passive text reply (被动回复), encrypted in 安全模式. */
  private passiveReply(account: WechatAccount, push: Push, text: string): string {
    const createTime = Math.floor(this.clock.now().getTime() / 1000);
    const reply = buildWechatXml({
      ToUserName: push.from,
      FromUserName: push.to,
      CreateTime: createTime,
      MsgType: 'text',
      Content: text,
    });
    if (!account.crypto) return reply;
    const encrypted = account.crypto.encrypt(reply);
    const timestamp = String(createTime);
    const nonce = randomBytes(8).toString('hex');
    return buildWechatXml({
      Encrypt: encrypted,
      MsgSignature: wechatSignature(account.token, timestamp, nonce, encrypted),
      TimeStamp: createTime,
      Nonce: nonce,
    });
  }
}

/** Pushes taken in at once by one process (each holds one pooled connection while it works). */
const TAKE_IN_AT_ONCE = 3;

/** A counting semaphore: at most `n` holders, the others wait in order. */
class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

function parse(body: string): Record<string, string> {
  try {
    return parseWechatXml(body);
  } catch (err) {
    if (err instanceof WechatXmlError) throw new BadRequestException(`XML: ${err.message}`);
    throw err;
  }
}

/** At most MESSAGE_MAX_CHARS characters (WeChat allows longer texts than a conversation message). */
function fit(text: string): string {
  const chars = [...text];
  if (chars.length <= MESSAGE_MAX_CHARS) return text;
  return chars.slice(0, MESSAGE_MAX_CHARS - TRUNCATED.length).join('') + TRUNCATED;
}
