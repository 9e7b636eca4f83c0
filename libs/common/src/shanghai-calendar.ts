/**
 * The Asia/Shanghai calendar, in one place: the hotline's days, months and weeks, and the instants that bound them.
 * China keeps UTC+08:00 all year (no daylight saving), so a Shanghai day is a fixed 24-hour span and the arithmetic
 * is done on UTC midnights: nothing here depends on the process's time zone. Days are 'YYYY-MM-DD' strings; "now"
 * is always passed in (read it from Clock), so these stay pure functions.
 *
 * (SQL does the same with `AT TIME ZONE 'Asia/Shanghai'`.)
 */

export const SHANGHAI_TIME_ZONE = 'Asia/Shanghai';
/** The offset of every Shanghai local time, as ISO 8601 writes it. */
export const SHANGHAI_OFFSET = '+08:00';

const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const toMs = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** 'YYYY-MM-DD' naming a day that exists (any year). */
function isRealDay(s: string): boolean {
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && toDay(Date.UTC(y, mo - 1, d)) === s;
}

// ---- days of instants, instants of days

/** The Shanghai calendar day of an instant, 'YYYY-MM-DD'. */
export function shanghaiDay(at: Date): string {
  return toDay(at.getTime() + OFFSET_MS);
}

/** Today in Shanghai, for the caller's `now` (from Clock). */
export function shanghaiToday(now: Date): string {
  return shanghaiDay(now);
}

/** The instant a Shanghai day begins (its 00:00 +08:00). */
export function dayStart(day: string): Date {
  return new Date(toMs(day) - OFFSET_MS);
}

/** The instant a Shanghai day ends: the next day's start (a range [dayStart, dayEnd) holds the whole day). */
export function dayEnd(day: string): Date {
  return new Date(toMs(day) + DAY_MS - OFFSET_MS);
}

/**
 * The instant of a Shanghai local time ('HH:mm' or 'HH:mm:ss') on a day; an invalid Date (NaN) when either is not
 * real (2026-02-30 is not rolled over into March).
 */
export function shanghaiTime(day: string, time: string): Date {
  if (!isRealDay(day)) return new Date(NaN);
  return new Date(`${day}T${time.length === 5 ? `${time}:00` : time}${SHANGHAI_OFFSET}`);
}

/** An instant as Beijing time, 'YYYY-MM-DD HH:mm:ss' (for people: exports, documents). */
export function formatBeijingTime(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

// ---- reading days, months and range bounds

/** The day if `s` is a real calendar date 'YYYY-MM-DD' between 2000 and 2099, else undefined. */
export function parseDate(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  if (!isRealDay(s)) return undefined;
  const y = Number(s.slice(0, 4));
  return y >= 2000 && y <= 2099 ? s : undefined;
}

/** The first day if `s` is a month 'YYYY-MM' between 2000 and 2099, else undefined. */
export function parseMonth(s: unknown): string | undefined {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}$/.test(s)) return undefined;
  return parseDate(`${s}-01`);
}

/**
 * A bound of a date range: 'YYYY-MM-DD' (a Shanghai day; as an upper bound the day is included, so the bound is
 * the next day's start) or an ISO 8601 date-time with an offset. Undefined when the text is neither, or not a real
 * date (2026-02-30).
 */
export function parseRangeBound(value: string, upper: boolean): Date | undefined {
  if (DAY_RE.test(value)) {
    if (!isRealDay(value)) return undefined;
    return upper ? dayEnd(value) : dayStart(value);
  }
  if (DATE_TIME_RE.test(value)) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

// ---- day arithmetic, months, weeks

export const addDays = (day: string, n: number) => toDay(toMs(day) + n * DAY_MS);
export const daysBetween = (from: string, to: string) => Math.round((toMs(to) - toMs(from)) / DAY_MS);

/** Every day from `from` to `to`, inclusive. */
export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
/** The first day of the next month. */
export function nextMonth(day: string): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}
/** The first day of the month `n` months after (negative: before) the day's month. */
export function addMonths(day: string, n: number): string {
  const index = Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1 + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}
export const lastDayOfMonth = (day: string) => addDays(nextMonth(day), -1);

/** The ISO week of a day: its Monday, and a key like 2026-W05 (ISO week-numbering year). */
export function isoWeek(day: string): { key: string; monday: string } {
  const ms = toMs(day);
  const dow = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0
  const monday = toDay(ms - dow * DAY_MS);
  const thursday = new Date(ms + (3 - dow) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { key: `${year}-W${String(week).padStart(2, '0')}`, monday };
}

/**
 * Splits the days [from, to] into whole months and the loose days around them: whole months are
 * [monthsFrom, monthsTo); loose days are [from, monthsFrom) and [monthsTo, to]. Without a whole month,
 * monthsFrom = monthsTo = to + 1 (everything is loose days).
 */
export function splitRange(from: string, to: string): { monthsFrom: string; monthsTo: string } {
  const first = from === monthStart(from) ? from : nextMonth(from);
  const after = addDays(to, 1);
  const last = after === monthStart(after) ? after : monthStart(to);
  if (first >= last) return { monthsFrom: after, monthsTo: after };
  return { monthsFrom: first, monthsTo: last };
}
