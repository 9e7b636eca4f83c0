/**
 * Calendar days as 'YYYY-MM-DD' strings. Arithmetic is done on UTC midnights, so it never depends on the
 * process's time zone; "today" is the Asia/Shanghai date (China has no daylight saving time).
 */
const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The date if `s` is a real calendar date 'YYYY-MM-DD' between 2000 and 2099, else undefined. */
export function parseDate(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1) return undefined;
  const t = Date.UTC(y, mo - 1, d);
  return toDate(t) === s ? s : undefined;
}

/** The first day if `s` is a month 'YYYY-MM' between 2000 and 2099, else undefined. */
export function parseMonth(s: unknown): string | undefined {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}$/.test(s)) return undefined;
  return parseDate(`${s}-01`);
}

const toMs = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
const toDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (d: string, n: number) => toDate(toMs(d) + n * DAY_MS);
export const daysBetween = (from: string, to: string) => Math.round((toMs(to) - toMs(from)) / DAY_MS);
export const monthStart = (d: string) => `${d.slice(0, 7)}-01`;
export function nextMonth(d: string): string {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}
export const lastDayOfMonth = (d: string) => addDays(nextMonth(d), -1);

/** Every day from `from` to `to`, inclusive. */
export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The ISO week of a day: its Monday, and a key like 2026-W05 (ISO week-numbering year). */
export function isoWeek(d: string): { key: string; monday: string } {
  const ms = toMs(d);
  const dow = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0
  const monday = toDate(ms - dow * DAY_MS);
  const thursday = new Date(ms + (3 - dow) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { key: `${year}-W${String(week).padStart(2, '0')}`, monday };
}

/** Today in Asia/Shanghai (UTC+8 all year). */
export function shanghaiToday(now: Date = new Date()): string {
  return toDate(now.getTime() + 8 * 3_600_000);
}

/**
 * Splits [from, to] into whole months (served by month rollup rows) and the loose days around them (day rows):
 * whole months are [monthsFrom, monthsTo); loose days are [from, monthsFrom) and [monthsTo, to].
 * Without a whole month, monthsFrom = monthsTo = to + 1 (everything is loose days).
 */
export function splitRange(from: string, to: string): { monthsFrom: string; monthsTo: string } {
  const first = from === monthStart(from) ? from : nextMonth(from);
  const after = addDays(to, 1);
  const last = after === monthStart(after) ? after : monthStart(to);
  if (first >= last) return { monthsFrom: after, monthsTo: after };
  return { monthsFrom: first, monthsTo: last };
}
