/**
 * Beijing time for the console, whatever the browser's time zone: every instant is shown, and every default day
 * range computed, on the Asia/Shanghai calendar (UTC+08:00 all year, no daylight saving), labelled 北京时间.
 *
 * Instants are shown through `formatBeijing`. Date and time pickers work on wall-clock fields (their year, month,
 * day, hour and minute), so their values are "Beijing wall time": a picked day 'YYYY-MM-DD' is a Beijing day (the
 * API reads days that way), and a picked date-time is read as Beijing time by `wallToInstant`.
 */
import dayjs, { type Dayjs } from 'dayjs';

export const TIME_ZONE_LABEL = '北京时间';

const OFFSET_MS = 8 * 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** The Beijing wall-clock fields of an instant, as 'YYYY-MM-DDTHH:mm:ss'. */
function beijingFields(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 19);
}

/** The Beijing calendar day of an instant, 'YYYY-MM-DD'. */
export const beijingDay = (at: number | string | Date = Date.now()): string =>
  beijingFields(new Date(at).getTime()).slice(0, 10);

/**
 * An instant shown in Beijing time with a dayjs pattern (YYYY MM DD HH mm ss); '—' for none. E.g.
 * formatBeijing('2026-03-01T17:30:00Z', 'YYYY-MM-DD HH:mm') → '2026-03-02 01:30'.
 */
export function formatBeijing(at: string | number | Date | null | undefined, pattern = 'YYYY-MM-DD HH:mm'): string {
  if (at == null || at === '') return '—';
  const ms = new Date(at).getTime();
  if (!Number.isFinite(ms)) return '—';
  return wallValue(ms).format(pattern);
}

/** A picker value showing the instant's Beijing wall time (its fields are Beijing time). */
export function wallValue(at: string | number | Date): Dayjs {
  return dayjs(beijingFields(new Date(at).getTime()));
}

/** Today's Beijing date as a picker value (its fields are the Beijing date, 00:00). */
export const beijingToday = (now: number = Date.now()): Dayjs => dayjs(beijingDay(now));

/** A picker value read as Beijing wall time: the instant, as ISO 8601 with its +08:00 offset. */
export function wallToInstant(v: Dayjs): string {
  const d = v.toDate(); // the picker's fields are the browser's local fields
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}+08:00`
  );
}
