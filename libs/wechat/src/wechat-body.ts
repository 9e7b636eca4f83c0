import { HttpException, HttpStatus } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { WECHAT_BODY_LIMIT_BYTES } from './wechat-xml';

type BodyRequest = IncomingMessage & { body?: unknown };

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The raw body of a push (WeChat sends `text/xml`), read only after the signature was checked: UTF-8, at most
 * WECHAT_BODY_LIMIT_BYTES (413, refused without reading when Content-Length says so), no content encoding (415).
 * A body some global parser already took (JSON, a form) is not a push (415).
 */
export function readPushBody(req: BodyRequest, limit = WECHAT_BODY_LIMIT_BYTES): Promise<string> {
  const refuse = (status: HttpStatus, message: string) => Promise.reject(new HttpException(message, status));
  if (req.body !== undefined && typeof req.body === 'object' && Object.keys(req.body as object).length > 0) {
    return refuse(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'the push must be XML (text/xml)');
  }
  const encoding = header(req, 'content-encoding')?.toLowerCase();
  if (encoding && encoding !== 'identity') {
    return refuse(HttpStatus.UNSUPPORTED_MEDIA_TYPE, `Content-Encoding ${encoding} is not read`);
  }
  const tooLarge = () =>
    new HttpException(`the XML body is larger than ${limit / 1024} KB`, HttpStatus.PAYLOAD_TOO_LARGE);
  const declared = Number(header(req, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  if (req.readableEnded) return Promise.resolve('');
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (err: HttpException | undefined, text?: string) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onError);
      if (err) {
        req.resume(); // the rest is read and dropped, so the answer still reaches the client
        reject(err);
      } else resolve(text!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return done(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => {
      try {
        done(undefined, new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        done(new HttpException('the XML is not valid UTF-8', HttpStatus.BAD_REQUEST));
      }
    };
    const onError = () => done(new HttpException('the request body could not be read', HttpStatus.BAD_REQUEST));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onError);
  });
}
