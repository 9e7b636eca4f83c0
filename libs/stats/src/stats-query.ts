import { BadRequestException } from '@nestjs/common';
import { daysBetween, parseDate, parseMonth } from '@kapok/common';
import { FORMATS, Format, GROUP_BYS, GroupBy, MAX_RANGE_DAYS } from './stats.types';

/** The columns of a CSV/Excel file: `codes` (default) the API's names and keys; `zh` Chinese headings for people. */
export const COLUMN_STYLES = ['codes', 'zh'] as const;
export type ColumnStyle = (typeof COLUMN_STYLES)[number];

export interface ServiceCountsQuery {
  from: string;
  to: string;
  groupBy: GroupBy;
  format: Format;
  columns: ColumnStyle;
}

type Raw = Record<string, unknown> | undefined;

/** A query parameter given once, as a string; repeated parameters are refused. */
function single(raw: Raw, name: string, errors: string[]): string | undefined {
  const v = raw?.[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    errors.push(`${name} must be given once, as a string`);
    return undefined;
  }
  return v;
}

/**
 * Validates the query of `GET /api/stats/service-counts`; a 400 names every field that is wrong.
 * from, to: real dates 'YYYY-MM-DD' (Asia/Shanghai days), from ≤ to, at most MAX_RANGE_DAYS days;
 * groupBy: one of GROUP_BYS; format: json (default), csv or xlsx; columns: codes (default) or zh (CSV/Excel for
 * people: Chinese headings, no id column).
 */
export function parseServiceCountsQuery(raw: Raw): ServiceCountsQuery {
  const errors: string[] = [];
  const date = (name: 'from' | 'to') => {
    const v = single(raw, name, errors);
    if (v === undefined) {
      if (!errors.some((e) => e.startsWith(`${name} `))) errors.push(`${name} is required (a date, YYYY-MM-DD)`);
      return undefined;
    }
    const d = parseDate(v);
    if (!d) errors.push(`${name} must be a real date as YYYY-MM-DD (2000–2099)`);
    return d;
  };
  const from = date('from');
  const to = date('to');
  const groupByRaw = single(raw, 'groupBy', errors);
  let groupBy: GroupBy | undefined;
  if (groupByRaw === undefined) {
    if (!errors.some((e) => e.startsWith('groupBy ')))
      errors.push(`groupBy is required (one of ${GROUP_BYS.join(', ')})`);
  } else if ((GROUP_BYS as readonly string[]).includes(groupByRaw)) {
    groupBy = groupByRaw as GroupBy;
  } else {
    errors.push(`groupBy must be one of ${GROUP_BYS.join(', ')}`);
  }
  const formatRaw = single(raw, 'format', errors) ?? 'json';
  const format = (FORMATS as readonly string[]).includes(formatRaw) ? (formatRaw as Format) : undefined;
  if (!format && !errors.some((e) => e.startsWith('format ')))
    errors.push(`format must be one of ${FORMATS.join(', ')}`);
  const columnsRaw = single(raw, 'columns', errors) ?? 'codes';
  const columns = (COLUMN_STYLES as readonly string[]).includes(columnsRaw) ? (columnsRaw as ColumnStyle) : undefined;
  if (!columns && !errors.some((e) => e.startsWith('columns ')))
    errors.push(`columns must be one of ${COLUMN_STYLES.join(', ')}`);
  if (from && to) {
    if (from > to) errors.push(`from (${from}) must not be after to (${to})`);
    else if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) {
      errors.push(`to: the range from ${from} to ${to} is longer than ${MAX_RANGE_DAYS} days`);
    }
  }
  if (errors.length) throw new BadRequestException(errors);
  return { from: from!, to: to!, groupBy: groupBy!, format: format!, columns: columns! };
}

/** Validates `month` of `GET /api/stats/bulletin` (YYYY-MM); returns its first day. */
export function parseBulletinQuery(raw: Raw): { month: string; first: string } {
  const errors: string[] = [];
  const v = single(raw, 'month', errors);
  if (errors.length) throw new BadRequestException(errors);
  if (v === undefined) throw new BadRequestException(['month is required (YYYY-MM)']);
  const first = parseMonth(v);
  if (!first) throw new BadRequestException(['month must be a month as YYYY-MM (2000–2099)']);
  return { month: v, first };
}
