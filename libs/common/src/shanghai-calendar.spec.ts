import {
  addDays,
  addMonths,
  dayEnd,
  dayStart,
  eachDay,
  formatBeijingTime,
  isoWeek,
  lastDayOfMonth,
  parseDate,
  parseMonth,
  parseRangeBound,
  shanghaiDay,
  shanghaiTime,
  shanghaiToday,
  splitRange,
} from './shanghai-calendar';

describe('the Asia/Shanghai calendar', () => {
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

  it('adds months, giving the month’s first day', () => {
    expect(addMonths('2026-01-31', -1)).toBe('2025-12-01');
    expect(addMonths('2026-03-15', -2)).toBe('2026-01-01');
    expect(addMonths('2026-12-01', 1)).toBe('2027-01-01');
    expect(addMonths('2026-05-20', 0)).toBe('2026-05-01');
    expect(addMonths('2026-01-01', -13)).toBe('2024-12-01');
  });

  it('numbers ISO weeks', () => {
    expect(isoWeek('2026-01-01')).toEqual({ key: '2026-W01', monday: '2025-12-29' });
    expect(isoWeek('2027-01-01')).toEqual({ key: '2026-W53', monday: '2026-12-28' });
    expect(isoWeek('2026-02-01')).toEqual({ key: '2026-W05', monday: '2026-01-26' });
  });

  it('is in Asia/Shanghai time', () => {
    expect(shanghaiToday(new Date('2026-01-31T15:59:59Z'))).toBe('2026-01-31');
    expect(shanghaiToday(new Date('2026-01-31T16:00:00Z'))).toBe('2026-02-01');
    expect(shanghaiDay(new Date('2026-02-01T00:30:00+08:00'))).toBe('2026-02-01');
  });

  it('gives the instants that bound a day, and local times on it', () => {
    expect(dayStart('2026-02-01').toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(dayEnd('2026-02-28').toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(shanghaiTime('2026-12-01', '08:00').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(shanghaiTime('2026-12-01', '23:30:15').toISOString()).toBe('2026-12-01T15:30:15.000Z');
    expect(Number.isNaN(shanghaiTime('2026-02-30', '08:00').getTime())).toBe(true);
  });

  it('reads range bounds: a Shanghai day (the upper one included) or a date-time with an offset', () => {
    expect(parseRangeBound('2026-01-01', false)?.toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(parseRangeBound('2026-01-01', true)?.toISOString()).toBe('2026-01-01T16:00:00.000Z');
    expect(parseRangeBound('2026-01-01T08:30:00+08:00', true)?.toISOString()).toBe('2026-01-01T00:30:00.000Z');
    expect(parseRangeBound('2026-01-01T00:30Z', false)?.toISOString()).toBe('2026-01-01T00:30:00.000Z');
    for (const bad of ['2026-02-30', '2026-13-01', '2026-01-01T08:30:00', 'yesterday', '']) {
      expect(parseRangeBound(bad, false)).toBeUndefined();
    }
  });

  it('writes an instant as Beijing time', () => {
    expect(formatBeijingTime(new Date('2026-01-31T16:05:09.250Z'))).toBe('2026-02-01 00:05:09');
  });

  it('splits a range into whole months and loose days', () => {
    expect(splitRange('2026-01-01', '2026-12-31')).toEqual({ monthsFrom: '2026-01-01', monthsTo: '2027-01-01' });
    expect(splitRange('2026-01-15', '2026-03-10')).toEqual({ monthsFrom: '2026-02-01', monthsTo: '2026-03-01' });
    expect(splitRange('2026-01-02', '2026-01-30')).toEqual({ monthsFrom: '2026-01-31', monthsTo: '2026-01-31' });
    expect(splitRange('2026-01-15', '2026-02-10')).toEqual({ monthsFrom: '2026-02-11', monthsTo: '2026-02-11' });
    expect(splitRange('2026-02-01', '2026-02-28')).toEqual({ monthsFrom: '2026-02-01', monthsTo: '2026-03-01' });
  });
});
