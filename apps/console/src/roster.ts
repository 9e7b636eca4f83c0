/**
 * A station's month of shifts, read in Asia/Shanghai time whatever the browser's zone: the grid's cells and the
 * hours nobody is rostered for (coverage gaps before they happen).
 */

export interface ShiftItem {
  id: string;
  stationId: string;
  workerId: string;
  username: string;
  workerName: string;
  startsAt: string;
  endsAt: string;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const OFFSET = 8 * HOUR; // Asia/Shanghai has no daylight saving

/** The instant at this Shanghai wall time ("2026-12-01", "08:00"). */
export const shanghai = (date: string, time = '00:00'): number => Date.parse(`${date}T${time}:00+08:00`);

/** The Shanghai calendar day of an instant, "YYYY-MM-DD". */
export const shanghaiDate = (ms: number): string => new Date(ms + OFFSET).toISOString().slice(0, 10);

/** The Shanghai wall time of an instant, "HH:mm". */
export const shanghaiClock = (ms: number): string => new Date(ms + OFFSET).toISOString().slice(11, 16);

/** Every day of a month ("2026-12") as "YYYY-MM-DD". */
export function daysOfMonth(month: string): string[] {
  const [y, m] = month.split('-').map(Number);
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

/** The month's bounds as the shifts route takes them (ISO with the +08:00 offset). */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: `${month}-01T00:00:00+08:00`, to: `${next}-01T00:00:00+08:00` };
}

/** A gap: [start, end) in ms. */
export type Interval = [number, number];

/** Where the intervals do not reach within [from, to): the uncovered stretches, in order. */
export function uncovered(intervals: Interval[], from: number, to: number): Interval[] {
  const sorted = intervals
    .map(([a, b]): Interval => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const gaps: Interval[] = [];
  let at = from;
  for (const [a, b] of sorted) {
    if (a > at) gaps.push([at, a]);
    at = Math.max(at, b);
  }
  if (at < to) gaps.push([at, to]);
  return gaps;
}

export interface DayCoverage {
  date: string;
  /** Stretches of the day nobody is rostered for, from now on (past hours are history, not a risk). */
  gaps: Interval[];
  /** The whole day is over. */
  past: boolean;
  /** Per hour 0–23: how many people are rostered for the whole hour; -1 when only part of it is covered. */
  hours: number[];
}

/** The coverage of each day of the month by the shifts, judged from `now`. */
export function monthCoverage(month: string, shifts: ShiftItem[], now: number): DayCoverage[] {
  const intervals: Interval[] = shifts.map((s) => [Date.parse(s.startsAt), Date.parse(s.endsAt)]);
  return daysOfMonth(month).map((date) => {
    const start = shanghai(date);
    const end = start + DAY;
    const past = end <= now;
    const gaps = past ? [] : uncovered(intervals, Math.max(start, now), end);
    const hours = Array.from({ length: 24 }, (_, h) => {
      const a = start + h * HOUR;
      const b = a + HOUR;
      const whole = intervals.filter(([s, e]) => s <= a && e >= b).length;
      if (whole > 0) return whole;
      return intervals.some(([s, e]) => s < b && e > a) ? -1 : 0;
    });
    return { date, gaps, past, hours };
  });
}

/** "00:00–08:00"; an end at midnight reads 24:00. */
export function formatInterval([a, b]: Interval): string {
  const end = shanghaiClock(b);
  return `${shanghaiClock(a)}–${end === '00:00' && b > a ? '24:00' : end}`;
}

/** The shifts of a worker that start on a day (Shanghai), in order. */
export function shiftsByWorkerDay(shifts: ShiftItem[]): Map<string, ShiftItem[]> {
  const map = new Map<string, ShiftItem[]>();
  for (const s of [...shifts].sort((a, b) => a.startsAt.localeCompare(b.startsAt))) {
    const key = `${s.workerId}|${shanghaiDate(Date.parse(s.startsAt))}`;
    map.set(key, [...(map.get(key) ?? []), s]);
  }
  return map;
}
