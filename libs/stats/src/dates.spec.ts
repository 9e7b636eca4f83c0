import { addDays, eachDay, isoWeek, lastDayOfMonth, parseDate, parseMonth, shanghaiToday, splitRange } from './dates';

describe('stats dates', () => {
  it('parses real calendar dates only', () => {
    expect(parseDate('2026-02-28')).toBe('2026-02-28');
    expect(parseDate('2028-02-29')).toBe('2028-02-29');
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-1-01',
      '20260101',
      '',
      '1999-12-31',
      'x',
      5,
      null,
      ['2026-01-01'],
    ]) {
      expect(parseDate(bad)).toBeUndefined();
    }
    expect(parseMonth('2026-01')).toBe('2026-01-01');
    expect(parseMonth('2026-13')).toBeUndefined();
    expect(parseMonth('2026-1')).toBeUndefined();
  });

  it('adds days across months and years', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(lastDayOfMonth('2028-02-10')).toBe('2028-02-29');
    expect(eachDay('2025-12-30', '2026-01-02')).toEqual(['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
  });

  it('numbers ISO weeks', () => {
    expect(isoWeek('2026-01-01')).toEqual({ key: '2026-W01', monday: '2025-12-29' });
    expect(isoWeek('2027-01-01')).toEqual({ key: '2026-W53', monday: '2026-12-28' });
    expect(isoWeek('2026-02-01')).toEqual({ key: '2026-W05', monday: '2026-01-26' });
  });

  it('is in Asia/Shanghai time', () => {
    expect(shanghaiToday(new Date('2026-01-31T15:59:59Z'))).toBe('2026-01-31');
    expect(shanghaiToday(new Date('2026-01-31T16:00:00Z'))).toBe('2026-02-01');
  });

  it('splits a range into whole months and loose days', () => {
    expect(splitRange('2026-01-01', '2026-12-31')).toEqual({ monthsFrom: '2026-01-01', monthsTo: '2027-01-01' });
    expect(splitRange('2026-01-15', '2026-03-10')).toEqual({ monthsFrom: '2026-02-01', monthsTo: '2026-03-01' });
    expect(splitRange('2026-01-02', '2026-01-30')).toEqual({ monthsFrom: '2026-01-31', monthsTo: '2026-01-31' });
    expect(splitRange('2026-01-15', '2026-02-10')).toEqual({ monthsFrom: '2026-02-11', monthsTo: '2026-02-11' });
    expect(splitRange('2026-02-01', '2026-02-28')).toEqual({ monthsFrom: '2026-02-01', monthsTo: '2026-03-01' });
  });
});
