import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** The largest push body read (a text message is at most 2048 bytes of content; encrypted it is about 4/3 of that). */
export const WECHAT_BODY_LIMIT_BYTES = 64 * 1024;

export class WechatXmlError extends Error {}

const parser = new XMLParser({
  ignoreAttributes: true,
  // Every value stays a string: a MsgId is a 64-bit number, which a JavaScript number would round.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Only the five predefined entities (&lt; …): no DOCTYPE reaches the parser, so no declared ones.
  processEntities: true,
  htmlEntities: false,
});

/**
 * The fields of a WeChat push (`<xml><ToUserName>…</ToUserName>…</xml>`): the string children of its root, by
 * name. Refuses (WechatXmlError) anything with a DOCTYPE or entity declaration (no XXE, no entity expansion),
 * malformed XML, and a root other than `<xml>`. Nested elements (some events have them) are skipped.
 */
export function parseWechatXml(text: string): Record<string, string> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new WechatXmlError('DOCTYPE and entity declarations are not accepted');
  if (XMLValidator.validate(text) !== true) throw new WechatXmlError('malformed XML');
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch {
    throw new WechatXmlError('malformed XML');
  }
  const root = (doc as Record<string, unknown>)?.xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new WechatXmlError('the root must be <xml>');
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(root)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

/** A CDATA section holding `text` (a `]]>` inside is split across two sections). */
function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** An XML document of WeChat's shape: `<xml>` with one element per field; strings as CDATA, numbers bare. */
export function buildWechatXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([name, value]) => `<${name}>${typeof value === 'number' ? String(value) : cdata(value)}</${name}>`)
    .join('');
  return `<xml>${body}</xml>`;
}
