import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { IntakeKeyRepository, PasswordHasher, Role, UserRepository } from '../../libs/auth/src';
import { OrgRepository } from '../../libs/org/src';
import { PASSWORD } from '../support/fixtures';
import { Stack, sleep, startStack } from '../support/stack';

/**
 * Browser tests: the console built into dist/console (npm run build:console; `npm test` builds it), served by the
 * stack of test/support/stack.ts, driven in Debian's Chromium by playwright-core.
 */
export const ROOT = resolve(__dirname, '../..');
export const SCREENSHOTS = join(ROOT, 'docs/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function assertPrerequisites(): void {
  if (!existsSync(join(ROOT, 'dist/console/index.html'))) {
    throw new Error('dist/console is missing: run `npm run build:console` (npm test does it through npm run build)');
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk (see .ci/run)`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  assertPrerequisites();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A fresh browser profile in Chinese, in Guangzhou's time zone, at a desktop size. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(30_000); // generous: a busy machine; it only matters when something never shows
  return context;
}

/** Collects page errors so a test can assert the console threw nothing. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** A fresh profile (newContext) and one page in it, whose errors are collected (watchErrors). */
export async function openPage(
  browser: Browser,
  /** Runs on the new profile before the page opens (e.g. an init script). */
  prepare?: (context: BrowserContext) => Promise<unknown>,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await newContext(browser);
  await prepare?.(context);
  const page = await context.newPage();
  return { context, page, errors: watchErrors(page) };
}

/**
 * Signs in through the console's login form; with `landsOn`, also waits for the screen the person lands on
 * (`workspace` for an operator, `board` for a coordinator, `stats` for a manager).
 */
export async function signIn(
  page: Page,
  url: string,
  username: string,
  opts: { landsOn?: string; password?: string } = {},
): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(opts.password ?? PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
  if (opts.landsOn) await page.waitForURL(`**/console/${opts.landsOn}`);
}

/**
 * Renders the page to an image (so a test fails if it cannot be captured). The tracked files in docs/screenshots are
 * rewritten only on request: `UPDATE_SCREENSHOTS=1 npx jest --selectProjects browser`.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  // Let animations and charts settle; the caret would differ between runs.
  await page.evaluate(() => (globalThis as any).document.activeElement?.blur()); // runs in the browser
  await page.waitForTimeout(600);
  const update = process.env.UPDATE_SCREENSHOTS === '1';
  if (update) mkdirSync(SCREENSHOTS, { recursive: true });
  const png = await page.screenshot({
    path: update ? join(SCREENSHOTS, `${name}.png`) : undefined,
    fullPage: false,
    animations: 'disabled',
  });
  if (png.length === 0) throw new Error(`the screenshot ${name} is empty`);
}

export interface ConsoleOrg {
  cityId: string;
  districtId: string;
  stations: { id: string; name: string; hotline: string }[];
  intakeKey: string;
  user(role: Role, unitId: string, displayName: string): Promise<{ id: string; username: string }>;
}

/**
 * A small organisation of its own with realistic names (they appear in the screenshots): 广州市 → 中心片区 → 越秀区
 * → the given stations, one hotline each, and an intake key. Usernames are unique per call, hotline numbers
 * random (020-8xxx-xxxx).
 */
export async function createConsoleOrg(app: INestApplicationContext, stationNames: string[]): Promise<ConsoleOrg> {
  const org = app.get(OrgRepository);
  const users = app.get(UserRepository);
  const keys = app.get(IntakeKeyRepository);
  const hash = await app.get(PasswordHasher).hash(PASSWORD);
  const tag = randomUUID().slice(0, 8);
  const city = await org.createUnit({ name: '广州市', level: 'city', parentId: null });
  const region = await org.createUnit({ name: '中心片区', level: 'region', parentId: city.id });
  const district = await org.createUnit({ name: '越秀区', level: 'district', parentId: region.id });
  const stations = [];
  for (const name of stationNames) {
    const s = await org.createUnit({ name, level: 'station', parentId: district.id });
    const hotline = `020-8${100 + Math.floor(Math.random() * 900)}-${1000 + Math.floor(Math.random() * 9000)}`;
    await org.createHotline({ number: hotline, name: `${name}红棉守护热线`, stationId: s.id });
    stations.push({ id: s.id, name, hotline });
  }
  const intakeKey = `key-${randomUUID()}`;
  await keys.create(`browser ${tag}`, intakeKey);
  let n = 0;
  return {
    cityId: city.id,
    districtId: district.id,
    stations,
    intakeKey,
    user: async (role, unitId, displayName) => {
      const username = `${role}-${tag}-${++n}`;
      const u = await users.create({ username, displayName, passwordHash: hash, role, orgUnitId: unitId });
      return { id: u.id, username };
    },
  };
}

/** What every browser test starts from: the stack, Chromium, and an organisation of its own (createConsoleOrg). */
export interface ConsoleRig {
  stack: Stack;
  browser: Browser;
  org: ConsoleOrg;
  /** Closes Chromium, then (once its sockets are gone) the stack. */
  close(): Promise<void>;
}

/** Starts the stack with `env`, launches Chromium and creates the test's organisation with these stations. */
export async function startConsole(env: Record<string, string>, stationNames: string[]): Promise<ConsoleRig> {
  const stack = await startStack(env);
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await sleep(100);
    await stack.close();
  };
  try {
    browser = await launchBrowser();
    const org = await createConsoleOrg(stack.app, stationNames);
    return { stack, browser, org, close };
  } catch (err) {
    await close(); // nothing is left running when the start fails half-way
    throw err;
  }
}

/** Polls until fn returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Picks a unit by name in the console's unit picker (a TreeSelect with this test id), and lets the dropdown go. */
export async function pickUnit(page: Page, testId: string, name: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.keyboard.type(name.slice(0, 6));
  await page.locator('.ant-select-dropdown:visible .ant-select-tree-title').filter({ hasText: name }).first().click();
  // a multiple picker stays open: close it, and let it go before the next picker opens its own
  await page.waitForTimeout(300);
  if (await page.locator('.ant-select-dropdown:visible').count()) await page.keyboard.press('Escape');
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'detached' });
}

/** The screens the console is checked at: a laptop's and a phone's. */
export const LAPTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** The axe-core script the accessibility checks inject (the page's context needs bypassCSP: an inline script). */
export const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');

/** axe-core in the page: no serious or critical violation (the context must be opened with bypassCSP). */
export async function axeCheck(page: Page, where: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const r = await axe.run((globalThis as any).document, { resultTypes: ['violations'] });
    return (r.violations as any[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes.length}× ${v.nodes[0]?.html?.slice(0, 160)} ` +
          `${v.nodes[0]?.any?.[0]?.message ?? ''}`,
      );
  });
  if (violations.length) throw new Error(`${where}: accessibility violations\n${violations.join('\n')}`);
}

/** The page is no wider than the screen: nothing scrolls sideways. */
export async function noSidewaysScroll(page: Page, where: string): Promise<void> {
  await page.waitForTimeout(300);
  const { scroll, inner } = await page.evaluate(() => {
    const d = globalThis as any;
    return { scroll: d.document.scrollingElement.scrollWidth as number, inner: d.innerWidth as number };
  });
  if (scroll > inner) throw new Error(`${where}: the page is ${scroll} px wide on a ${inner} px screen`);
}
