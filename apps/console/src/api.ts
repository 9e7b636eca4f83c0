/** The REST client: bearer token from the session, errors in the contract's shape turned into ApiError. */
import type { AuthUser, SessionEndReason } from '@kapok/contracts';
import { serverReason } from './server-reasons';

/** The signed-in person (`GET /api/me`). */
export type User = AuthUser;

export interface Session {
  token: string;
  user: User;
  /** The login answer said the password must be changed first (a temporary one): only that screen is shown. */
  mustChangePassword?: boolean;
}

const SESSION_KEY = 'kapok.session';

/**
 * The token lives in sessionStorage: it belongs to this tab and is gone when the tab or the browser closes, so a
 * shared 24-hour workstation never keeps a signed-in token for the next person, and other tabs and sites' scripts
 * opened later do not find it on disk. A reload keeps it. (Before, it was in localStorage for its whole 12 hours.)
 */
export function loadSession(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    return s && typeof s.token === 'string' && s.user ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    /* storage disabled: the session lasts as long as the page */
  }
}

/** Removes a token an older console left in localStorage. */
export function forgetLegacySession(): void {
  try {
    localStorage.removeItem(SESSION_KEY);
  } catch {
    /* storage disabled */
  }
}

/** When the token stops working by itself (its `exp`), in ms; null when it cannot be read. */
export function tokenExpiresAt(token: string): number | null {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const exp = JSON.parse(atob(part)).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Signs the token out on the server (its session is revoked, its sockets closed). Never throws. */
export async function revokeToken(token: string): Promise<void> {
  try {
    // keepalive: the request is sent even if the page is being closed or navigated away.
    await fetch('/api/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` }, keepalive: true });
  } catch {
    /* offline: the session still ends at its expiry */
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
    readonly body: unknown,
  ) {
    super(messages.join('；') || `HTTP ${status}`);
  }
}

/** Called when the server says the token is no longer valid (the app signs out, showing the message if any). */
let onUnauthorized: (message?: string) => void = () => undefined;
export function setUnauthorizedHandler(fn: (message?: string) => void): void {
  onUnauthorized = fn;
}

const SESSION_ENDED_MESSAGES: Record<Exclude<SessionEndReason, 'changed'>, string> = {
  logout: '已退出登录',
  revoked: '此登录已被注销，请重新登录',
  expired: '登录已过期，请重新登录',
  deactivated: '账号已停用，如有疑问请联系管理员',
};

/**
 * A socket was told its session ended (`session:ended`): sign out, unless the reason is `changed` (the person's
 * role or unit changed; the socket reconnects to the new scope) or the tab has already moved on to another token.
 */
export function sessionEnded(reason: string, token: string): void {
  if (reason === 'changed' || loadSession()?.token !== token) return;
  const messages: Partial<Record<string, string>> = SESSION_ENDED_MESSAGES;
  onUnauthorized(messages[reason] ?? SESSION_ENDED_MESSAGES.revoked);
}

function token(): string | undefined {
  return loadSession()?.token;
}

/** A body sent as it is (a CSV file), with its content type; anything else is sent as JSON. */
export class RawBody {
  constructor(
    readonly content: string | Blob,
    readonly contentType: string,
  ) {}
}

async function request(method: string, path: string, body?: unknown, accept?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  if (body instanceof RawBody) headers['content-type'] = body.contentType;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  if (accept) headers.accept = accept;
  const payload = body === undefined ? undefined : body instanceof RawBody ? body.content : JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(`/api${path}`, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, ['网络连接失败，请检查网络后重试'], null);
  }
  if (res.status === 401 && path !== '/auth/login') onUnauthorized();
  if (!res.ok) {
    let parsed: any = null;
    try {
      parsed = await res.json();
    } catch {
      /* not JSON */
    }
    const m = parsed?.message;
    throw new ApiError(res.status, Array.isArray(m) ? m.map(String) : m ? [String(m)] : [], parsed);
  }
  return res;
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T = any>(path: string) => api<T>('GET', path);
export const post = <T = any>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T = any>(path: string, body: unknown) => api<T>('PUT', path, body);
export const patch = <T = any>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T = any>(path: string) => api<T>('DELETE', path);
/** Sends a CSV file's text as `text/csv` (the import routes read nothing else). */
export const postCsv = <T = any>(path: string, csv: string) =>
  api<T>('POST', path, new RawBody(csv, 'text/csv; charset=utf-8'));

/** The media type of an Excel workbook (.xlsx). */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const postXlsx = <T = any>(path: string, workbook: Blob) =>
  api<T>('POST', path, new RawBody(workbook, XLSX_TYPE));

/** Downloads a file the API produces (CSV, Excel) with the bearer token, and hands it to the browser. */
export async function download(path: string, fallbackName: string): Promise<string> {
  const res = await request('GET', path);
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  const name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

/** True when the API has no such route (a feature not deployed yet) rather than an error of the request. */
export const isMissingRoute = (e: unknown) =>
  e instanceof ApiError && e.status === 404 && e.messages.some((m) => m.startsWith('Cannot GET'));

export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 403) return '没有权限执行此操作';
    if (e.status === 0) return e.message;
    return e.messages.length ? e.messages.map(serverReason).join('；') : `请求失败（${e.status}）`;
  }
  return e instanceof Error ? e.message : String(e);
}
