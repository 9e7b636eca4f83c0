import { randomBytes, randomUUID } from 'node:crypto';
import { Db } from '../../libs/database/src';
import { OrgRepository } from '../../libs/org/src';
import { ConversationLog, ConversationRepository } from '../../libs/conversations/src';
import { WechatOutboundQueue } from '../../libs/wechat/src';
import { parseSamples, sample } from '../support/metrics';
import { AgentClient, Stack, login, sleep, startStack } from '../support/stack';
import { TestStation, createStation } from '../support/fixtures';
import {
  StandInAccount,
  WechatStandIn,
  decryptForAccount,
  encryptForAccount,
  messageXml,
  push,
  sha1Signature,
  signedQuery,
} from '../support/wechat-stand-in';

const alnum = (n: number) => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => chars[b % chars.length]).join('');
};
const appId = () => `wx${randomBytes(8).toString('hex')}`;
const openId = () => `o${alnum(27)}`;
const msgId = () => String(BigInt(`0x${randomBytes(7).toString('hex')}`) + 6_000_000_000_000_000_000n);

describe('WeChat Official Account adapter (webhook, stand-in WeChat API, operator over socket.io)', () => {
  const tag = randomUUID().slice(0, 8);
  const PLAIN: StandInAccount & { hotlineNumber: string } = {
    appId: appId(),
    secret: randomBytes(16).toString('hex'),
    token: alnum(32),
    ghId: 'gh_plain0001',
    hotlineNumber: `WXP-${tag}`,
  };
  const AES: StandInAccount & { hotlineNumber: string } = {
    appId: appId(),
    secret: randomBytes(16).toString('hex'),
    token: alnum(32),
    encodingAesKey: alnum(43),
    ghId: 'gh_aes000001',
    hotlineNumber: `WXA-${tag}`,
  };
  let standIn: WechatStandIn;
  let stack: Stack;
  let st: TestStation;
  let db: Db;
  const clients: AgentClient[] = [];
  const webhook = (a: StandInAccount) => `${stack.url}/api/wechat/${a.appId}`;

  // A fresh operator for each test (each holds up to CHAT_CAPACITY text contacts; earlier tests' stay theirs).
  let used = 0;
  const operator = async () => {
    const c = await AgentClient.connect(stack.url, await login(stack.url, st.operators[used++].username));
    clients.push(c);
    await c.available();
    return c;
  };
  /** The wechat contacts of a line, oldest first. */
  const contactsOf = (hotlineNumber: string) =>
    db.rows<{ id: string; status: string; channel: string; caller_number_masked: string | null }>(
      `SELECT c.id, c.status, c.channel, c.caller_number_masked FROM contacts c JOIN hotlines h ON h.id = c.hotline_id
        WHERE h.number = $1 ORDER BY c.queued_at`,
      [hotlineNumber],
    );
  const counts = async () =>
    (await db.one<Record<string, string>>(
      `SELECT (SELECT count(*) FROM contacts c JOIN hotlines h ON h.id = c.hotline_id
                  WHERE h.number = ANY($1)) AS contacts,
                (SELECT count(*) FROM wechat_links WHERE app_id = ANY($2)) AS links,
                (SELECT count(*) FROM wechat_inbound WHERE app_id = ANY($2)) AS inbound,
                (SELECT count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id
                   JOIN contacts c ON c.id = v.contact_id JOIN hotlines h ON h.id = c.hotline_id
                  WHERE h.number = ANY($1)) AS messages`,
      [
        [PLAIN.hotlineNumber, AES.hotlineNumber],
        [PLAIN.appId, AES.appId],
      ],
    ))!;

  /** Accepts the offer of a new wechat contact; its id. */
  const accept = async (op: AgentClient) => {
    const offer = await op.next('contact:offer');
    expect(offer.contact.channel).toBe('wechat');
    const ack = await op.emit('offer:accept', { offerId: offer.offerId });
    expect(ack).toMatchObject({ ok: true });
    return offer;
  };

  beforeAll(async () => {
    standIn = await new WechatStandIn([PLAIN, AES]).start();
    stack = await startStack({
      WECHAT_ACCOUNTS: JSON.stringify(
        [PLAIN, AES].map(({ appId, token, encodingAesKey, secret, hotlineNumber }) => ({
          appId,
          token,
          ...(encodingAesKey ? { encodingAesKey } : {}),
          secret,
          hotlineNumber,
        })),
      ),
      WECHAT_API_BASE_URL: standIn.url,
      // Replies go out the moment they are stored: no reply of these tests waits for the outbox sweep, which runs
      // only when a test runs it (WechatOutboundQueue.sweepNow).
      WECHAT_OUTBOX_SWEEP_SECONDS: '3600',
    });
    db = stack.app.get(Db);
    st = await createStation(stack.app, 8);
    const org = stack.app.get(OrgRepository);
    for (const a of [PLAIN, AES]) {
      await org.createHotline({ number: a.hotlineNumber, name: `微信-${a.ghId}`, stationId: st.stationId });
    }
  });
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    // Each test's conversations end with it: the next one starts from nobody's open conversation.
    await db.run(
      `UPDATE conversations v SET state = 'ended', ended_at = now() FROM contacts c, hotlines h
        WHERE c.id = v.contact_id AND h.id = c.hotline_id AND h.number = ANY($1) AND v.state = 'open'`,
      [[PLAIN.hotlineNumber, AES.hotlineNumber]],
    );
    await db.run(
      `UPDATE contacts c SET status = 'abandoned' FROM hotlines h
        WHERE h.id = c.hotline_id AND h.number = ANY($1) AND c.status IN ('queued','offered')`,
      [[PLAIN.hotlineNumber, AES.hotlineNumber]],
    );
  });
  afterAll(async () => {
    await sleep(100);
    await stack?.close();
    await standIn?.close();
  });

  describe('URL verification (GET)', () => {
    it('answers echostr only with the account’s signature', async () => {
      const q = signedQuery(PLAIN);
      q.set('echostr', '5838479218127813673');
      const ok = await fetch(`${webhook(PLAIN)}?${q.toString()}`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('5838479218127813673');

      const forged = signedQuery(PLAIN, { token: alnum(32) });
      forged.set('echostr', '5838479218127813673');
      const bad = await fetch(`${webhook(PLAIN)}?${forged.toString()}`);
      expect(bad.status).toBe(401);
      expect(await bad.text()).not.toContain('5838479218127813673');

      const stale = signedQuery(PLAIN, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
      stale.set('echostr', '1');
      expect((await fetch(`${webhook(PLAIN)}?${stale.toString()}`)).status).toBe(401);
      // Another account's signature, and an account that is not configured.
      const other = signedQuery(AES);
      other.set('echostr', '1');
      expect((await fetch(`${webhook(PLAIN)}?${other.toString()}`)).status).toBe(401);
      expect((await fetch(`${stack.url}/api/wechat/${appId()}?${q.toString()}`)).status).toBe(404);
    });
  });

  describe('a conversation in plain mode', () => {
    it('opens a wechat contact, the operator sees and answers it, the reply reaches WeChat; later messages append', async () => {
      const op = await operator();
      const user = openId();
      const first = await push(
        webhook(PLAIN),
        PLAIN,
        messageXml(PLAIN, { openId: user, msgId: msgId(), content: '你好，我最近睡不着' }),
      );
      expect(first).toMatchObject({ status: 200, text: 'success' });

      const offer = await accept(op);
      const contactId: string = offer.contact.id;
      const [contact] = await contactsOf(PLAIN.hotlineNumber).then((cs) => cs.filter((c) => c.id === contactId));
      expect(contact).toMatchObject({ channel: 'wechat' });
      const history = await op.emit('history:get', { contactId });
      expect(history.ok).toBe(true);
      expect(history.messages.map((m: any) => [m.from, m.text])).toEqual([['caller', '你好，我最近睡不着']]);

      // The operator answers: the stand-in receives it through custom/send, to this OpenID.
      const sent = await op.emit('message:send', {
        contactId,
        clientId: 'r1',
        text: '您好，我是社工小林，愿意听您说说。',
      });
      expect(sent).toMatchObject({ ok: true });
      const [reply] = await standIn.waitForSent(1);
      expect(reply).toMatchObject({
        appId: PLAIN.appId,
        body: { touser: user, msgtype: 'text', text: { content: '您好，我是社工小林，愿意听您说说。' } },
      });
      expect(standIn.tokensIssued.get(PLAIN.appId)).toBe(1);
      await expect(delivery(sent.id)).resolves.toMatchObject({ state: 'sent' });

      // The person writes again: the same conversation, and the operator gets it live.
      const again = await push(
        webhook(PLAIN),
        PLAIN,
        messageXml(PLAIN, { openId: user, msgId: msgId(), content: '谢谢你' }),
      );
      expect(again.status).toBe(200);
      const live = await op.next('message', (m) => m.contactId === contactId && m.from === 'caller');
      expect(live.text).toBe('谢谢你');
      expect((await contactsOf(PLAIN.hotlineNumber)).filter((c) => c.id === contactId)).toHaveLength(1);

      // The OpenID is nowhere in clear: not on the contact, not in the link.
      const stored = await db.rows<{ row: string }>(
        `SELECT row_to_json(l)::text AS row FROM wechat_links l WHERE app_id = $1
         UNION ALL SELECT row_to_json(c)::text FROM contacts c WHERE id = $2`,
        [PLAIN.appId, contactId],
      );
      expect(stored.length).toBeGreaterThan(1);
      for (const { row } of stored) expect(row).not.toContain(user);
      const enc = await db.one<{ openid_enc: Buffer }>('SELECT openid_enc FROM wechat_links WHERE app_id = $1', [
        PLAIN.appId,
      ]);
      expect(enc!.openid_enc.includes(Buffer.from(user))).toBe(false);
    });

    it('takes a redelivered MsgId once (WeChat retries 3 times)', async () => {
      const op = await operator();
      const user = openId();
      const xml = messageXml(PLAIN, { openId: user, msgId: msgId(), content: '重复的消息' });
      for (let i = 0; i < 4; i++) expect((await push(webhook(PLAIN), PLAIN, xml)).status).toBe(200);
      const offer = await accept(op);
      const history = await op.emit('history:get', { contactId: offer.contact.id });
      expect(history.messages.filter((m: any) => m.from === 'caller')).toHaveLength(1);
      const links = await db.rows('SELECT 1 FROM wechat_links WHERE app_id = $1 AND contact_id = $2', [
        PLAIN.appId,
        offer.contact.id,
      ]);
      expect(links).toHaveLength(1);
    });

    it('answers a picture with a polite request for text, and opens nothing for it', async () => {
      const before = await counts();
      const res = await push(
        webhook(PLAIN),
        PLAIN,
        messageXml(PLAIN, { openId: openId(), msgId: msgId(), type: 'image' }),
      );
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/xml/);
      expect(res.text).toContain('<MsgType><![CDATA[text]]></MsgType>');
      expect(res.text).toContain('只能接收文字消息');
      const after = await counts();
      expect([after.contacts, after.links, after.messages]).toEqual([before.contacts, before.links, before.messages]);
    });
    it('notes a picture in an open conversation for the operator, and does not send the note to WeChat', async () => {
      const op = await operator();
      const user = openId();
      await push(webhook(PLAIN), PLAIN, messageXml(PLAIN, { openId: user, msgId: msgId(), content: '我发张图' }));
      const offer = await accept(op);
      const pic = await push(webhook(PLAIN), PLAIN, messageXml(PLAIN, { openId: user, msgId: msgId(), type: 'image' }));
      expect(pic.text).toContain('只能接收文字消息');
      const note = await op.next('message', (m) => m.contactId === offer.contact.id && m.from === 'system');
      expect(note.text).toContain('图片');
      // Nor does the outbox sweep find it: nothing goes to WeChat for this user (the note is the operator's only).
      await stack.app.get(WechatOutboundQueue).sweepNow();
      const deliveries = await db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM wechat_deliveries d JOIN messages m ON m.id = d.message_id
           JOIN conversations v ON v.id = m.conversation_id WHERE v.contact_id = $1`,
        [offer.contact.id],
      );
      expect(deliveries!.n).toBe(0);
      await sleep(300);
      expect(standIn.sendAttempts.some((s) => s.body.touser === user)).toBe(false);
    });

    it('a reply stored but never handed to the adapter (a crash in between) is found and sent by the outbox sweep', async () => {
      const op = await operator();
      const user = openId();
      await push(webhook(PLAIN), PLAIN, messageXml(PLAIN, { openId: user, msgId: msgId(), content: '有人在吗' }));
      const offer = await accept(op);
      const conversation = await stack.app.get(ConversationRepository).findByContact(offer.contact.id);
      // stored as the operator's reply is, but nobody is told (the process "crashed" before ConversationDelivery)
      const stored = await stack.app.get(ConversationLog).append(conversation!.id, {
        sender: 'operator',
        userId: st.operators[used - 1].id,
        clientId: 'crash-1',
        text: '我在，请慢慢说。',
      });
      await sleep(300);
      expect(standIn.sent.some((s) => s.body.touser === user)).toBe(false);
      await stack.app.get(WechatOutboundQueue).sweepNow();
      await waitUntil(() => standIn.sent.some((s) => s.body.touser === user));
      expect(standIn.sent.find((s) => s.body.touser === user)).toMatchObject({
        body: { msgtype: 'text', text: { content: '我在，请慢慢说。' } },
      });
      await waitUntil(async () => (await delivery(stored!.message.id))?.state === 'sent');
    });
  });

  describe('安全模式 (AES)', () => {
    it('decrypts a push, and the conversation works both ways', async () => {
      const op = await operator();
      const user = openId();
      const res = await push(
        webhook(AES),
        AES,
        messageXml(AES, { openId: user, msgId: msgId(), content: '加密模式下的求助' }),
        { aes: true },
      );
      expect(res).toMatchObject({ status: 200, text: 'success' });
      const offer = await accept(op);
      const history = await op.emit('history:get', { contactId: offer.contact.id });
      expect(history.messages.map((m: any) => m.text)).toEqual(['加密模式下的求助']);
      const sent = await op.emit('message:send', { contactId: offer.contact.id, clientId: 'a1', text: '收到，我在。' });
      expect(sent.ok).toBe(true);
      await waitUntil(() => standIn.sent.some((s) => s.body.touser === user));
      expect(standIn.sent.find((s) => s.body.touser === user)).toMatchObject({
        appId: AES.appId,
        body: { text: { content: '收到，我在。' } },
      });
    });

    it('answers a voice message with an encrypted passive reply', async () => {
      const res = await push(webhook(AES), AES, messageXml(AES, { openId: openId(), msgId: msgId(), type: 'voice' }), {
        aes: true,
      });
      expect(res.status).toBe(200);
      const encrypted = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(res.text)?.[1];
      const signature = /<MsgSignature><!\[CDATA\[([0-9a-f]+)\]\]>/.exec(res.text)?.[1];
      const timestamp = /<TimeStamp>(\d+)<\/TimeStamp>/.exec(res.text)?.[1];
      const nonce = /<Nonce><!\[CDATA\[([^\]]+)\]\]>/.exec(res.text)?.[1];
      expect(encrypted && signature && timestamp && nonce).toBeTruthy();
      expect(signature).toBe(sha1Signature(AES.token, timestamp!, nonce!, encrypted!));
      expect(decryptForAccount(AES, encrypted!)).toContain('只能接收文字消息');
    });

    it('refuses a clear push, a wrong msg_signature and a body encrypted for another account', async () => {
      const before = await counts();
      const xml = () => messageXml(AES, { openId: openId(), msgId: msgId(), content: 'x' });
      expect((await push(webhook(AES), AES, xml())).status).toBe(401);
      expect((await push(webhook(AES), AES, xml(), { aes: true, msgToken: alnum(32) })).status).toBe(401);
      // Signed right, but encrypted for another AppID with the same key.
      const enc = encryptForAccount({ ...AES, appId: appId() }, xml());
      const body = `<xml><ToUserName><![CDATA[${AES.ghId}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
      const foreign = await fetch(`${webhook(AES)}?${signedQuery(AES, {}, enc).toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
      });
      expect(foreign.status).toBe(401);
      expect(await counts()).toEqual(before);
    });
  });

  describe('refusals: nothing stored', () => {
    it('bad signature, malformed XML, DOCTYPE/entities, oversize, a JSON body', async () => {
      const before = await counts();
      const xml = messageXml(PLAIN, { openId: openId(), msgId: msgId(), content: '伪造' });
      const forged = await push(webhook(PLAIN), PLAIN, xml, { token: alnum(32) });
      expect(forged.status).toBe(401);

      const malformed = await push(webhook(PLAIN), PLAIN, '<xml><MsgType>text</MsgType><Content>x</xml>');
      expect(malformed.status).toBe(400);
      expect(malformed.text).toMatch(/malformed/);

      const bomb =
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
        xml.replace('伪造', '&b;');
      const doctype = await push(webhook(PLAIN), PLAIN, bomb);
      expect(doctype.status).toBe(400);
      expect(doctype.text).toMatch(/DOCTYPE/);
      const xxe = await push(
        webhook(PLAIN),
        PLAIN,
        `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>${xml.replace('伪造', '&x;')}`,
      );
      expect(xxe.status).toBe(400);

      const big = await push(webhook(PLAIN), PLAIN, xml.replace('伪造', 'x'.repeat(70 * 1024)));
      expect(big.status).toBe(413);

      const json = await push(webhook(PLAIN), PLAIN, '{"MsgType":"text"}', {
        headers: { 'content-type': 'application/json' },
      });
      expect(json.status).toBe(415);

      expect(await counts()).toEqual(before);
    });
  });

  describe('the way out', () => {
    it('refreshes an expired access token (42001) and delivers the reply', async () => {
      const op = await operator();
      const user = openId();
      await push(webhook(PLAIN), PLAIN, messageXml(PLAIN, { openId: user, msgId: msgId(), content: '在吗' }));
      const offer = await accept(op);
      const issued = standIn.tokensIssued.get(PLAIN.appId) ?? 0;
      standIn.expireTokens();
      const sent = await op.emit('message:send', { contactId: offer.contact.id, clientId: 't1', text: '在的，请说。' });
      expect(sent.ok).toBe(true);
      await waitUntil(() => standIn.sent.some((s) => s.body.touser === user));
      expect(standIn.tokensIssued.get(PLAIN.appId)).toBe(issued + 1);
      const attempts = standIn.sendAttempts.filter((s) => s.body.touser === user);
      expect(attempts.length).toBe(2); // 42001, then the same message with the new token
      await waitUntil(async () => (await delivery(sent.id))?.state === 'sent');
    });

    it('keeps a reply through a WeChat outage and delivers it when WeChat answers again', async () => {
      const op = await operator();
      const user = openId();
      await push(webhook(PLAIN), PLAIN, messageXml(PLAIN, { openId: user, msgId: msgId(), content: '有人吗' }));
      const offer = await accept(op);
      standIn.failNextSends({ status: 503 }, { errcode: -1, errmsg: 'system error' });
      const sent = await op.emit('message:send', {
        contactId: offer.contact.id,
        clientId: 'o1',
        text: '我在，别担心。',
      });
      expect(sent.ok).toBe(true);
      await waitUntil(() => standIn.sent.some((s) => s.body.touser === user), 30_000);
      // the row is marked once WeChat's answer is back (a moment after the stand-in saw the request)
      await waitUntil(async () => (await delivery(sent.id))?.state !== 'pending', 30_000);
      const row = await delivery(sent.id);
      expect(row).toMatchObject({ state: 'sent', attempts: 3 });
    });

    it('marks a reply WeChat refuses for good (45015, past 48 hours) as failed, visible in /metrics', async () => {
      const op = await operator();
      const user = openId();
      await push(webhook(PLAIN), PLAIN, messageXml(PLAIN, { openId: user, msgId: msgId(), content: '你好' }));
      const offer = await accept(op);
      standIn.failNextSends({ errcode: 45015, errmsg: 'response out of time limit or subscription is canceled' });
      const sent = await op.emit('message:send', { contactId: offer.contact.id, clientId: 'f1', text: '迟到的回复' });
      expect(sent.ok).toBe(true);
      await waitUntil(async () => (await delivery(sent.id))?.state === 'failed');
      expect((await delivery(sent.id))!.last_error).toContain('45015');
      expect(standIn.sent.some((s) => s.body.touser === user)).toBe(false);
      const metrics = parseSamples(await (await fetch(`${stack.url}/metrics`)).text());
      expect(sample(metrics, 'kapok_wechat_outbound_total', { result: 'failed' })).toBeGreaterThanOrEqual(1);
    });
  });

  const delivery = (messageId: string) =>
    db.one<{ state: string; attempts: number; last_error: string | null }>(
      'SELECT state, attempts, last_error FROM wechat_deliveries WHERE message_id = $1',
      [messageId],
    );
});

async function waitUntil(pred: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}
