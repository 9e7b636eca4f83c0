import { WechatMessageCrypto, WechatCryptoError } from './wechat-message-crypto';
import { signatureMatches, wechatSignature } from './wechat-signature';
import { WechatXmlError, buildWechatXml, parseWechatXml } from './wechat-xml';

describe('WeChat signature', () => {
  it('is sha1 of the sorted parts, compared exactly', () => {
    // sha1('1409304348' + 'nonce' + 'token'), sorted: digits sort before letters
    const sig = wechatSignature('token', '1409304348', 'nonce');
    expect(sig).toBe(wechatSignature('nonce', 'token', '1409304348'));
    expect(sig).toMatch(/^[0-9a-f]{40}$/);
    expect(signatureMatches(sig, 'token', '1409304348', 'nonce')).toBe(true);
    expect(signatureMatches(sig.toUpperCase(), 'token', '1409304348', 'nonce')).toBe(true);
    expect(signatureMatches(sig, 'token', '1409304349', 'nonce')).toBe(false);
    expect(signatureMatches(sig.slice(1), 'token', '1409304348', 'nonce')).toBe(false);
    expect(signatureMatches(undefined, 'token', '1409304348', 'nonce')).toBe(false);
  });
});

describe('WeChat message encryption', () => {
  const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const crypto = new WechatMessageCrypto(aesKey, 'wx0123456789abcdef');

  it('round-trips, pads to 32 and carries the AppID', () => {
    const xml = '<xml><Content><![CDATA[你好]]></Content></xml>';
    const enc = crypto.encrypt(xml);
    expect(Buffer.from(enc, 'base64').length % 32).toBe(0);
    expect(crypto.decrypt(enc)).toBe(xml);
    // The layout is WeChat's: random(16) ‖ len(4, big-endian) ‖ msg ‖ appid, AES-256-CBC, IV = key[0..16).
    const key = Buffer.from(`${aesKey}=`, 'base64');
    const { createDecipheriv } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([d.update(Buffer.from(enc, 'base64')), d.final()]);
    const len = plain.readUInt32BE(16);
    expect(plain.subarray(20, 20 + len).toString()).toBe(xml);
    expect(plain.subarray(20 + len, plain.length - plain[plain.length - 1]).toString()).toBe('wx0123456789abcdef');
  });

  it('refuses another AppID, tampering and garbage', () => {
    const other = new WechatMessageCrypto('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', 'wxffffffffffffffff');
    expect(() => crypto.decrypt(other.encrypt('<xml/>'))).toThrow(WechatCryptoError);
    const enc = Buffer.from(crypto.encrypt('<xml><A>1</A></xml>'), 'base64');
    enc[enc.length - 1] ^= 0xff;
    expect(() => crypto.decrypt(enc.toString('base64'))).toThrow(WechatCryptoError);
    expect(() => crypto.decrypt('not base64!')).toThrow(WechatCryptoError);
    expect(() => crypto.decrypt('AAAA')).toThrow(WechatCryptoError);
  });
});

describe('WeChat XML', () => {
  it('reads the string fields of <xml>, keeping a 64-bit MsgId exact', () => {
    const fields = parseWechatXml(
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><MsgType><![CDATA[text]]></MsgType>' +
        '<Content><![CDATA[a < b & c]]></Content><MsgId>1234567890123456789</MsgId><Nested><X>1</X></Nested></xml>',
    );
    expect(fields).toEqual({ ToUserName: 'gh_1', MsgType: 'text', Content: 'a < b & c', MsgId: '1234567890123456789' });
  });

  it('round-trips what it builds, even text holding ]]>', () => {
    const xml = buildWechatXml({ Content: 'x ]]> y', CreateTime: 5 });
    expect(parseWechatXml(xml)).toEqual({ Content: 'x ]]> y', CreateTime: '5' });
  });

  it('refuses DOCTYPE, entities, malformed XML and another root', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml><C>&lol2;</C></xml>';
    expect(() => parseWechatXml(bomb)).toThrow(WechatXmlError);
    expect(() => parseWechatXml('<!doctype x SYSTEM "file:///etc/passwd"><xml/>')).toThrow(/DOCTYPE/);
    expect(() => parseWechatXml('<xml><A>1</B></xml>')).toThrow(/malformed/);
    expect(() => parseWechatXml('not xml')).toThrow(WechatXmlError);
    expect(() => parseWechatXml('<root><A>1</A></root>')).toThrow(/root/);
  });
});
