import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';
import { currentRequestId } from './request-context';

/** Nest's level names (LOG_LEVEL) → pino's. */
const PINO_LEVEL = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
} as const;
export type LogLevelName = keyof typeof PINO_LEVEL;

/**
 * What never reaches a log line, whatever a developer logs by mistake: credentials and headers that carry them, and
 * the fields that hold a caller's number or what a caller said. (Request and response headers and bodies are not
 * logged at all: see the serializers.)
 */
export const REDACTED_PATHS = [
  'req.headers',
  'res.headers',
  '*.authorization',
  '*.cookie',
  '*["set-cookie"]',
  '*["x-api-key"]',
  'password',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  'token',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.key',
  'callerNumber',
  '*.callerNumber',
  '*.text',
  '*.summary',
  '*.message.text',
];

/** Pretty (pino-pretty) in development at a terminal, or when LOG_FORMAT=pretty; JSON lines otherwise. */
export function prettyLogs(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.LOG_FORMAT === 'json') return false;
  const wanted = env.LOG_FORMAT === 'pretty' || (env.NODE_ENV !== 'production' && !!process.stdout.isTTY);
  if (!wanted) return false;
  try {
    require.resolve('pino-pretty'); // a development dependency: absent from a production install
    return true;
  } catch {
    return false;
  }
}

/** The path of a request without its query string (which may carry a ticket or a search for a name). */
function pathOf(url: string | undefined): string | undefined {
  return url?.split('?')[0];
}

/**
 * Structured logs for a process (gateway or router): pino through nestjs-pino, Nest's own logger replaced in main.ts
 * (`app.useLogger(app.get(Logger))`), so every `new Logger(…)` of the code writes through it. Each line carries
 * `requestId` when it is written for a request or for the job a request triggered (request-context.ts); HTTP requests
 * are logged once each, when answered, with method, path (no query), status and time, never headers or bodies.
 */
@Module({})
export class KapokLoggingModule {
  static forRoot(app: 'gateway' | 'router', level: LogLevelName): DynamicModule {
    const options: LoggerOptions = {
      level: PINO_LEVEL[level] ?? 'info',
      base: { app, pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      ...(prettyLogs()
        ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } }
        : {}),
    };
    return {
      module: KapokLoggingModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            ...options,
            genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
            quietReqLogger: true,
            // the scrapes and probes are polled all day: logged only when they fail
            autoLogging: { ignore: (req) => /^\/(metrics|api\/health)/.test(req.url ?? '') },
            // (503: a gateway shutting down or the database unreachable, answered with Retry-After on purpose)
            customLogLevel: (_req, res, err) =>
              res.statusCode === 503
                ? 'warn'
                : err || res.statusCode >= 500
                  ? 'error'
                  : res.statusCode >= 400
                    ? 'warn'
                    : 'info',
            serializers: {
              req: (req: { id?: string; method?: string; url?: string }) => ({
                id: req.id,
                method: req.method,
                path: pathOf(req.url),
              }),
              res: (res: ServerResponse | { statusCode?: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
