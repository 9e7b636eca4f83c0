import ExcelJS from 'exceljs';
import { crc32, deflateRawSync } from 'node:zlib';
import { parseUsersXlsx } from './user-xlsx';
import { xlsxUnpackedSize } from './xlsx-size';

/** A zip of one deflated entry, whose headers declare `declared` bytes unpacked (the truth, or a lie). */
function zipOf(name: string, content: Buffer, declared = content.length): Buffer {
  const data = deflateRawSync(content);
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc32(content), 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(content), 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(n.length, 28);
  central.writeUInt32LE(0, 42);
  const dirAt = local.length + n.length + data.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + n.length, 12);
  eocd.writeUInt32LE(dirAt, 16);
  return Buffer.concat([local, n, data, central, n, eocd]);
}

describe('xlsx unpacked size (zip bombs refused before the workbook is read)', () => {
  it('counts what a real workbook unpacks to', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('账号').addRows([
      ['username', 'displayName'],
      ...Array.from({ length: 50 }, (_, i) => [`u${i}`, `社工${i}`]),
    ]);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const size = xlsxUnpackedSize(file, 64 * 1024 * 1024);
    expect('bytes' in size && size.bytes).toBeGreaterThan(file.length);
  });

  it('refuses an entry that unpacks past the limit, also when its headers say it is small', () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    expect(xlsxUnpackedSize(zipOf('xl/worksheets/sheet1.xml', zeros), 1024 * 1024)).toEqual({
      refused: 'more than 1 MB once unpacked',
    });
    expect(xlsxUnpackedSize(zipOf('xl/worksheets/sheet1.xml', zeros, 100), 1024 * 1024)).toEqual({
      refused: 'more than 1 MB once unpacked',
    });
    expect(xlsxUnpackedSize(zipOf('a.xml', Buffer.from('<a/>')), 1024)).toEqual({ bytes: 4 });
  });

  it('refuses what is not a zip, and a users import of a bomb names the problem without unpacking it', async () => {
    expect(xlsxUnpackedSize(Buffer.from('username,displayName\n'), 1024)).toEqual({ refused: 'not a zip archive' });
    // 100 MB of zeros in a ~100 KB upload
    const bomb = zipOf('xl/worksheets/sheet1.xml', Buffer.alloc(100 * 1024 * 1024), 1000);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const parsed = await parseUsersXlsx(bomb);
    expect(parsed.rows).toEqual([]);
    expect(parsed.errors).toEqual([
      'the Excel file could not be read (an .xlsx workbook is expected): more than 64 MB once unpacked',
    ]);
  });
});
