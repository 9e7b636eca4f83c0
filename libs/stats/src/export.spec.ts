import ExcelJS from 'exceljs';
import { CSV_HEADER, toCsv, toXlsx } from './export';
import { Figures, ServiceCountsResult } from './stats.types';

const figures = (n: number): Figures => ({
  contacts: n,
  answered: n,
  abandoned: 0,
  served: n,
  problemsResolved: 1,
  materialAidContacts: 0,
  psychologicalSupportContacts: 0,
  highRiskContacts: 0,
  avgSpeedOfAnswerSeconds: 12.5,
  avgHandleSeconds: null,
  serviceLevel: 0.75,
  abandonmentRate: null,
  problemsRaised: 2,
});
const result: ServiceCountsResult = {
  from: '2026-01-01',
  to: '2026-01-31',
  groupBy: 'station',
  timeZone: 'Asia/Shanghai',
  serviceLevelThresholdSeconds: 20,
  rows: [
    { key: 'a', label: '北京街, "一站"', ...figures(3) },
    { key: 'b', label: '=HYPERLINK("x")', ...figures(1) },
  ],
  totals: figures(4),
};

describe('exports', () => {
  it('writes CSV with a header, quoted labels, no formulas and a total line', () => {
    const csv = toCsv(result);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(lines[0]).toBe(
      'key,label,contacts,answered,abandoned,served,problemsResolved,materialAidContacts,psychologicalSupportContacts,' +
        'highRiskContacts,avgSpeedOfAnswerSeconds,avgHandleSeconds,serviceLevel,abandonmentRate,problemsRaised',
    );
    expect(lines[1]).toBe('a,"北京街, ""一站""",3,3,0,3,1,0,0,0,12.5,,0.75,,2');
    expect(lines[2].startsWith(`b,"'=HYPERLINK(""x"")"`)).toBe(true);
    expect(lines[3].startsWith('total,合计,4,')).toBe(true);
    expect(lines).toHaveLength(4);
  });

  it('writes the CSV for people with Chinese headings, no id column and rates as percentages', () => {
    const lines = toCsv(result, { people: true }).slice(1).trimEnd().split('\r\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['社工站', '呼入量', '接听量', '放弃量']);
    expect(lines[0]).toContain('20秒接通率');
    expect(lines[1]).toBe('"北京街, ""一站""",3,3,0,3,1,0,0,0,12.5,,75.0%,,2');
    expect(lines[3].startsWith('合计,4,')).toBe(true);
  });

  it('writes the Excel workbook for people without the id column', async () => {
    const buf = await toXlsx(result, new Date('2026-02-01T02:30:00Z'), { people: true });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('服务统计')!;
    expect(ws.getRow(1).getCell(1).value).toBe('社工站');
    expect(ws.getRow(2).getCell(1).value).toBe('北京街, "一站"');
    expect(ws.getRow(4).getCell(1).value).toBe('合计');
  });

  it('writes an Excel workbook with Chinese headings', async () => {
    const buf = await toXlsx(result, new Date('2026-02-01T02:30:00Z'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('服务统计')!;
    expect(ws.getRow(1).getCell(2).value).toBe('社工站');
    expect(ws.getRow(1).getCell(6).value).toBe('服务人次');
    expect(ws.getRow(2).getCell(3).value).toBe(3);
    expect(ws.getRow(4).getCell(2).value).toBe('合计');
    const about = wb.getWorksheet('说明')!;
    const exported = about.getColumn(1).values.indexOf('导出时间');
    expect(about.getRow(exported).getCell(2).value).toBe('2026-02-01 10:30:00（北京时间）');
  });
});
