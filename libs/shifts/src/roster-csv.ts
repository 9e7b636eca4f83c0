import { parse } from 'csv-parse/sync';
import { addDays, shanghaiTime } from '@kapok/common';

export interface RosterLine {
  line: number;
  username: string;
  startsAt: Date;
  endsAt: Date;
}

/** Most shifts one import may hold (a month of a large station is a few hundred). */
export const MAX_ROSTER_ROWS = 5000;

/**
 * Parses a month's roster: a header `username,date,start,end`, then one shift per line
 * (`demo-operator,2026-12-01,08:00,16:00`, times in Asia/Shanghai; an end at or before the start is the next day).
 * Returns the shifts, or every problem found with its line number; `overCap` when it has more than
 * MAX_ROSTER_ROWS shifts (nothing else is checked then).
 */
export function parseRosterCsv(text: string): { shifts: RosterLine[]; errors: string[]; overCap?: true } {
  let records: Record<string, string>[];
  try {
    // One record past the cap is enough to know the roster is over it; the rest is not parsed.
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      to: MAX_ROSTER_ROWS + 1,
    });
  } catch (err) {
    return { shifts: [], errors: [`CSV could not be read: ${(err as Error).message}`] };
  }
  if (records.length > MAX_ROSTER_ROWS) {
    return { shifts: [], errors: [`花名册一次最多导入 ${MAX_ROSTER_ROWS} 行班次，请拆分后分批导入`], overCap: true };
  }
  const errors: string[] = [];
  const shifts: RosterLine[] = [];
  if (records.length === 0)
    return { shifts, errors: ['the roster has no shifts (expected a header username,date,start,end)'] };
  const missing = ['username', 'date', 'start', 'end'].filter((c) => !(c in records[0]));
  if (missing.length) return { shifts, errors: [`missing column(s): ${missing.join(', ')}`] };
  records.forEach((r, i) => {
    const line = i + 2;
    if (!r.username) errors.push(`line ${line}: username is empty`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.date)) errors.push(`line ${line}: date must be YYYY-MM-DD`);
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(r.start)) errors.push(`line ${line}: start must be HH:mm`);
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(r.end)) errors.push(`line ${line}: end must be HH:mm`);
    const startsAt = shanghaiTime(r.date, r.start);
    let endsAt = shanghaiTime(r.date, r.end);
    if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime())) {
      if (/^\d{4}-\d{2}-\d{2}$/.test(r.date)) errors.push(`line ${line}: ${r.date} is not a date`);
      return;
    }
    if (endsAt <= startsAt) endsAt = shanghaiTime(addDays(r.date, 1), r.end); // overnight: ends the next day
    shifts.push({ line, username: r.username.toLowerCase(), startsAt, endsAt });
  });
  return { shifts, errors };
}
