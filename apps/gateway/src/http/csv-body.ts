import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  NestInterceptor,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { Observable } from 'rxjs';

/** Largest CSV body a route reads (a month's roster of a station is far below). */
export const CSV_BODY_LIMIT_BYTES = 1024 * 1024;

type CsvRequest = IncomingMessage & { body?: unknown };

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** True when the request says its body is text/csv. */
export function isCsv(req: IncomingMessage): boolean {
  return /^text\/csv\s*(;|$)/i.test(header(req, 'content-type')?.trim() ?? '');
}

/** The media type of an Excel workbook (.xlsx). */
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** True when the request says its body is an Excel workbook (.xlsx). */
export function isXlsx(req: IncomingMessage): boolean {
  return (header(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase() === XLSX_MEDIA_TYPE;
}

/**
 * Reads a text/csv request body (UTF-8, at most `limit` bytes) into a string. 413 past the limit (refused at once
 * when Content-Length says so, without reading), 415 for another charset or a content encoding, 400 for bytes that
 * are not UTF-8.
 */
export async function readCsvBody(req: IncomingMessage, limit = CSV_BODY_LIMIT_BYTES): Promise<string> {
  const type = header(req, 'content-type') ?? '';
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(type)?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeException(`the CSV must be UTF-8 (charset ${charset} is not read)`);
  }
  const bytes = await readBodyBytes(req, limit, 'the CSV body');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestException('the CSV is not valid UTF-8');
  }
}

/**
 * Reads a request body's bytes, at most `limit` (413 past it, at once when Content-Length says so), without a
 * content encoding (415). `what` names the body in the refusals.
 */
export function readBodyBytes(req: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const encoding = header(req, 'content-encoding')?.toLowerCase();
  if (encoding && encoding !== 'identity') {
    return Promise.reject(new UnsupportedMediaTypeException(`Content-Encoding ${encoding} is not read`));
  }
  const tooLarge = () => new PayloadTooLargeException(`${what} is larger than ${Math.round(limit / 1024)} KB`);
  const declared = Number(header(req, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0)); // nothing left to read (an empty body)
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (err: HttpException | undefined) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) {
        req.resume(); // the rest is read and dropped, so the answer still reaches the client
        reject(err);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return done(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => done(undefined);
    const onError = () => done(new BadRequestException('the request body could not be read'));
    const onAborted = () => done(new HttpException('the request was aborted', HttpStatus.BAD_REQUEST));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

/**
 * Reads a text/csv body into `req.body` (a string) for the route it is put on, after its guards: no CSV is read
 * before the caller is authenticated and allowed. Every other route leaves a CSV body unread (no global parser).
 * Other content types are left as they are (a JSON body is already parsed); the handler decides what to accept.
 *
 *     @UseGuards(UserAuthGuard) @UseInterceptors(CsvBodyInterceptor) @Post('…/import')
 */
@Injectable()
export class CsvBodyInterceptor implements NestInterceptor {
  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<CsvRequest>();
    if (isCsv(req) && typeof req.body !== 'string') req.body = await readCsvBody(req);
    return next.handle();
  }
}
