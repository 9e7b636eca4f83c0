import { parse } from 'csv-parse/sync';

/** What a line's number may be: digits and the signs of a dial string or a gateway's own line id, no spaces. */
export const HOTLINE_NUMBER_PATTERN = /^[0-9A-Za-z+*#().-]{1,32}$/;
/** What a unit's code may be (also the database's CHECK): letters, digits, `.`, `_`, `-`, at most 40. */
export const ORG_UNIT_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
/** Longest name of a line or unit. */
export const NAME_MAX_LENGTH = 100;
/** Most lines one import may hold (a large city has a few hundred). */
export const MAX_HOTLINE_ROWS = 5000;

export interface HotlineCsvRow {
  /** The row's line number in the file (the header is line 1). */
  line: number;
  number: string;
  /** The station's code, or its id. */
  stationCode: string;
  name: string;
}

/**
 * Parses a lines import: a header `number,stationCode,name` (any order, any case), then one line per row. Returns
 * the rows, or every problem found in the file itself, each naming its line; `overCap` past MAX_HOTLINE_ROWS.
 * Whether the stations exist and the numbers are free is the use-case's to check.
 */
export function parseHotlineCsv(text: string): { rows: HotlineCsvRow[]; errors: string[]; overCap?: true } {
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      // a short row is reported by its line (its missing fields are empty) rather than failing the whole file
      relax_column_count: true,
      to: MAX_HOTLINE_ROWS + 1,
    });
  } catch (err) {
    return { rows: [], errors: [`the CSV could not be read: ${(err as Error).message}`] };
  }
  if (records.length > MAX_HOTLINE_ROWS) {
    return { rows: [], errors: [`at most ${MAX_HOTLINE_ROWS} lines per import: split the file`], overCap: true };
  }
  if (!records.length)
    return { rows: [], errors: ['the CSV has no lines (expected a header number,stationCode,name)'] };
  const missing = ['number', 'stationcode', 'name'].filter((c) => !(c in records[0]));
  if (missing.length) {
    const names: Record<string, string> = { number: 'number', stationcode: 'stationCode', name: 'name' };
    return { rows: [], errors: [`missing column(s): ${missing.map((c) => names[c]).join(', ')}`] };
  }
  const errors: string[] = [];
  const rows: HotlineCsvRow[] = [];
  const seen = new Map<string, number>();
  records.forEach((r, i) => {
    const line = i + 2;
    const problems: string[] = [];
    if (!r.number) problems.push('number is empty');
    else if (!HOTLINE_NUMBER_PATTERN.test(r.number)) {
      problems.push(`number "${r.number}" must be 1–32 digits or letters (also + * # ( ) . -), no spaces`);
    } else if (seen.has(r.number)) problems.push(`number ${r.number} is also on line ${seen.get(r.number)}`);
    if (!r.stationcode) problems.push('stationCode is empty');
    if (!r.name) problems.push('name is empty');
    else if (r.name.length > NAME_MAX_LENGTH) problems.push(`name is longer than ${NAME_MAX_LENGTH} characters`);
    if (r.number && !seen.has(r.number)) seen.set(r.number, line);
    if (problems.length) errors.push(`line ${line}: ${problems.join('; ')}`);
    else rows.push({ line, number: r.number, stationCode: r.stationcode, name: r.name });
  });
  return { rows, errors };
}
