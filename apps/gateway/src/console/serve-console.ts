import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, Request, Response } from 'express';

export const CONSOLE_PREFIX = '/console';
/** The callers' web chat: /chat/<line number> answers dist/console/chat.html (its assets are the console's). */
export const WEB_CHAT_PREFIX = '/chat';

/**
 * The built console (dist/console, made by `npm run build:console`): CONSOLE_DIR when set, else the first
 * `dist/console/index.html` found walking up from this file (the source tree in tests, dist/apps/gateway/… when
 * built, /app/dist in the Docker image).
 */
export function findConsoleDir(start = __dirname): string | undefined {
  if (process.env.CONSOLE_DIR) return resolve(process.env.CONSOLE_DIR);
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'console');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Serves the web console under /console: content-hashed assets cached for a year, index.html never cached and
 * answered for every other path under /console (the console's own pages: /console/workspace, /console/board …),
 * `/` redirected to it. Without a build, /console answers 503 saying how to build it; the API is unaffected.
 */
export function serveConsole(app: NestExpressApplication): void {
  const dir = findConsoleDir();
  const http = app.getHttpAdapter().getInstance() as Express;
  const pages = [CONSOLE_PREFIX, `${CONSOLE_PREFIX}/{*splat}`];
  const chatPages = [`${WEB_CHAT_PREFIX}/:line`];
  http.get('/', (_req: Request, res: Response) => res.redirect(302, `${CONSOLE_PREFIX}/`));
  if (!dir) {
    new Logger('Console').warn(
      'dist/console is missing: run `npm run build:console` to serve the web console at /console',
    );
    http.get([...pages, ...chatPages], (_req: Request, res: Response) => {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The web console is not built: run `npm run build:console` and restart.\n控制台尚未构建：请运行 npm run build:console 后重启。\n',
        );
    });
    return;
  }
  // A missing asset is a 404 (fallthrough: false), never index.html: a stale tab must not get HTML as JavaScript.
  app.useStaticAssets(join(dir, 'assets'), {
    prefix: `${CONSOLE_PREFIX}/assets`,
    immutable: true,
    maxAge: '365d',
    index: false,
    fallthrough: false,
  });
  app.useStaticAssets(dir, { prefix: CONSOLE_PREFIX, index: false, maxAge: 0 });
  const index = join(dir, 'index.html');
  http.get(pages, (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  const chat = join(dir, 'chat.html');
  http.get(chatPages, (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(chat);
  });
}
