import { parse } from 'csv-parse/sync';
import { AdminUserRecord, ROLES, Role } from '@kapok/auth';
import { USER_CSV_COLUMNS } from '@kapok/contracts';
import { DISPLAY_NAME_MAX, USERNAME_PATTERN, distinct, profileProblems } from './user-rules';

/** Most accounts one import may hold (a city's 7,000+ workers fit; more: split the file). */
export const MAX_USER_IMPORT_ROWS = 10_000;

/** One account of an imported file, with its line (the header is line 1). */
export interface UserCsvRow {
  line: number;
  username: string;
  displayName: string;
  role: Role;
  /** The unit's code or id, as written. */
  orgUnitCode: string;
  languages: string[];
  skills: string[];
}

const REQUIRED = ['username', 'displayName', 'role', 'orgUnitCode'] as const;

/** `a|b| c` → ['a', 'b', 'c'] (empty: none). */
const list = (v: string | undefined) =>
  distinct(
    (v ?? '')
      .split('|')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** The export's guard against spreadsheet formulas ('=…) is taken off again on import. */
const unguard = (v: string) => (/^'[=+\-@]/.test(v) ? v.slice(1) : v);

/**
 * Reads the users CSV: a header `username,displayName,role,orgUnitCode,languages,skills` (any order and case;
 * languages and skills may be left out; other columns are ignored), lists separated by `|`. Returns the rows and
 * every problem found in the file itself, each naming its line and username (`line 4 (wang-xm): role …`);
 * `overCap` past MAX_USER_IMPORT_ROWS (nothing else checked then). What needs the database (names taken, units,
 * grants) is checked by ImportUsers.
 */
export function parseUsersCsv(text: string): ParsedUsers {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  let columns: string[] = [];
  try {
    records = parse(text, {
      columns: (header: string[]) => (columns = header.map(columnName)),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
      relax_column_count: true,
      to: MAX_USER_IMPORT_ROWS + 1,
    });
  } catch (err) {
    return { rows: [], errors: [`the CSV could not be read: ${(err as Error).message}`] };
  }
  return checkUserRecords(
    columns,
    records.map(({ record, info }) => ({ record, line: info.lines })),
  );
}

/** What a users file (CSV or Excel) holds: the rows that read well and every problem of the file itself. */
export interface ParsedUsers {
  rows: UserCsvRow[];
  errors: string[];
  /** More than MAX_USER_IMPORT_ROWS rows (nothing else was checked). */
  overCap?: true;
}

/** The answer for a file with more than MAX_USER_IMPORT_ROWS rows. */
export const overCap = (): ParsedUsers => ({
  rows: [],
  errors: [
    `at most ${MAX_USER_IMPORT_ROWS} accounts per import (一次最多导入 ${MAX_USER_IMPORT_ROWS} 个账号), split the file`,
  ],
  overCap: true,
});

/** A header cell → the column it names (the import's columns in any case; others as written). */
export const columnName = (header: string) => {
  const name = header.trim();
  return USER_CSV_COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase()) ?? name;
};

/**
 * Checks the rows of a users file, whatever its format: `columns` is its header (named by columnName), each record
 * a row's cells by column with the row's line in the file (the header is line 1).
 */
export function checkUserRecords(
  columns: string[],
  records: { record: Record<string, string | undefined>; line: number }[],
): ParsedUsers {
  if (records.length > MAX_USER_IMPORT_ROWS) return overCap();
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length) {
    return {
      rows: [],
      errors: [`missing column(s): ${missing.join(', ')} (expected a header ${USER_CSV_COLUMNS.join(',')})`],
    };
  }
  if (!records.length) return { rows: [], errors: ['no accounts: the file has a header but no rows'] };

  const rows: UserCsvRow[] = [];
  const errors: string[] = [];
  for (const { record: r, line } of records) {
    const username = r.username ?? '';
    const problems: string[] = [];
    if (!USERNAME_PATTERN.test(username)) {
      problems.push('username must be 2 to 64 letters, digits, ".", "_", "@" or "-"');
    }
    const displayName = unguard(r.displayName ?? '');
    if (!displayName) problems.push('displayName is empty');
    else if (displayName.length > DISPLAY_NAME_MAX) problems.push(`displayName is longer than ${DISPLAY_NAME_MAX}`);
    const role = r.role as Role;
    if (!ROLES.includes(role)) problems.push(`role "${r.role ?? ''}" is not one of ${ROLES.join(', ')}`);
    const orgUnitCode = r.orgUnitCode ?? '';
    if (!orgUnitCode) problems.push('orgUnitCode is empty');
    const languages = list(r.languages);
    const skills = list(r.skills);
    problems.push(...profileProblems({ languages, skills }));
    if (problems.length) errors.push(`${where(line, username)}: ${problems.join('; ')}`);
    else rows.push({ line, username, displayName, role, orgUnitCode, languages, skills });
  }
  return { rows, errors };
}

/** How an error names its row: `line 4 (wang-xm)`. */
export const where = (line: number, username: string) => (username ? `line ${line} (${username})` : `line ${line}`);

/** A CSV cell: quoted when needed; text a spreadsheet would run as a formula is prefixed with '. */
function cell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The export: the import's columns (so an export can be edited and imported into another centre), the unit's code
 * or, when it has none, its id; never a password. UTF-8 with a byte-order mark (Excel shows the Chinese names),
 * CRLF line ends.
 */
export function toUsersCsv(users: AdminUserRecord[]): string {
  const lines = [USER_CSV_COLUMNS.join(',')];
  for (const u of users) {
    lines.push(
      [u.username, u.displayName, u.role, u.orgUnitCode ?? u.orgUnitId, u.languages.join('|'), u.skills.join('|')]
        .map(cell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
