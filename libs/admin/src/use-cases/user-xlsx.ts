import ExcelJS from 'exceljs';
import { MAX_USER_IMPORT_ROWS, ParsedUsers, checkUserRecords, columnName, overCap } from './user-csv';
import { xlsxUnpackedSize } from './xlsx-size';

/**
 * The most a users workbook may hold once unpacked: 7,000 accounts are a few MB of sheet XML; far more is not a
 * list of accounts (and is refused before anything unpacks it).
 */
export const MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024;

/**
 * Reads a users Excel workbook (.xlsx): the first sheet, a header row with the CSV's columns (any order and case),
 * one account per row, lists separated by `|` as in the CSV; the rows are checked exactly as the CSV's
 * (checkUserRecords), each problem naming its row number in the sheet. Cells are read as the text Excel shows
 * (a number stays as written, a formula gives its result). An unreadable file is one problem, not an exception.
 */
export async function parseUsersXlsx(data: Buffer): Promise<ParsedUsers> {
  const size = xlsxUnpackedSize(data, MAX_XLSX_UNPACKED_BYTES);
  if ('refused' in size) {
    return { rows: [], errors: [`the Excel file could not be read (an .xlsx workbook is expected): ${size.refused}`] };
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    return { rows: [], errors: ['the Excel file could not be read (an .xlsx workbook is expected)'] };
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.actualRowCount === 0) return { rows: [], errors: ['the Excel file has no rows'] };
  // The header is the first row with anything in it; a sheet with more rows than an import may hold is refused
  // before its cells are read.
  if (sheet.actualRowCount - 1 > MAX_USER_IMPORT_ROWS) return overCap();

  let header: { line: number; columns: Map<number, string> } | undefined;
  const records: { record: Record<string, string>; line: number }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells = new Map<number, string>();
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      const text = cell.text.trim();
      if (text) cells.set(col, text);
    });
    if (!cells.size) return;
    if (!header) {
      header = { line, columns: new Map([...cells].map(([col, text]) => [col, columnName(text)])) };
      return;
    }
    const record: Record<string, string> = {};
    for (const [col, name] of header.columns) record[name] = cells.get(col) ?? '';
    records.push({ record, line });
  });
  if (!header) return { rows: [], errors: ['the Excel file has no rows'] };
  return checkUserRecords([...header.columns.values()], records);
}
