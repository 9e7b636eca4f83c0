import { BadRequestException } from '@nestjs/common';
import { parseBulletinQuery, parseServiceCountsQuery } from './stats-query';

const messages = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequestException);
    return ((e as BadRequestException).getResponse() as { message: string[] }).message;
  }
  throw new Error('expected a 400');
};

describe('service-counts query', () => {
  it('accepts a good query and defaults the format to json', () => {
    expect(parseServiceCountsQuery({ from: '2026-01-01', to: '2026-01-31', groupBy: 'district' })).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      groupBy: 'district',
      format: 'json',
      columns: 'codes',
    });
    expect(
      parseServiceCountsQuery({ from: '2026-01-01', to: '2026-01-01', groupBy: 'day', format: 'csv' }).format,
    ).toBe('csv');
  });

  it('names every bad field', () => {
    expect(messages(() => parseServiceCountsQuery({}))).toEqual([
      expect.stringMatching(/^from /),
      expect.stringMatching(/^to /),
      expect.stringMatching(/^groupBy /),
    ]);
    expect(
      messages(() => parseServiceCountsQuery({ from: '2026-02-30', to: '2026-03-01', groupBy: 'day' }))[0],
    ).toMatch(/^from /);
    expect(messages(() => parseServiceCountsQuery({ from: '2026-01-01', to: 'tomorrow', groupBy: 'day' }))[0]).toMatch(
      /^to /,
    );
    expect(
      messages(() => parseServiceCountsQuery({ from: '2026-01-01', to: '2026-01-02', groupBy: 'year' }))[0],
    ).toMatch(/^groupBy /);
    expect(
      messages(() =>
        parseServiceCountsQuery({ from: '2026-01-01', to: '2026-01-02', groupBy: 'day', format: 'pdf' }),
      )[0],
    ).toMatch(/^format /);
    expect(
      messages(() =>
        parseServiceCountsQuery({ from: ['2026-01-01', '2026-01-02'], to: '2026-01-02', groupBy: 'day' }),
      )[0],
    ).toMatch(/^from /);
  });

  it('refuses from after to and ranges over two years', () => {
    expect(
      messages(() => parseServiceCountsQuery({ from: '2026-02-01', to: '2026-01-01', groupBy: 'day' }))[0],
    ).toMatch(/^from .*to/);
    expect(
      messages(() => parseServiceCountsQuery({ from: '2023-01-01', to: '2026-01-01', groupBy: 'month' }))[0],
    ).toMatch(/^to: /);
    expect(parseServiceCountsQuery({ from: '2024-01-01', to: '2025-12-31', groupBy: 'month' }).to).toBe('2025-12-31');
  });

  it('parses the bulletin month', () => {
    expect(parseBulletinQuery({ month: '2026-01' })).toEqual({ month: '2026-01', first: '2026-01-01' });
    expect(messages(() => parseBulletinQuery({}))[0]).toMatch(/^month /);
    expect(messages(() => parseBulletinQuery({ month: '2026-1' }))[0]).toMatch(/^month /);
    expect(messages(() => parseBulletinQuery({ month: ['2026-01', '2026-02'] }))[0]).toMatch(/^month /);
  });
});
