import { MAX_ROSTER_ROWS, parseRosterCsv } from './roster-csv';

describe('parseRosterCsv', () => {
  it('reads shifts in Shanghai time, overnight ones ending the next day', () => {
    const { shifts, errors } = parseRosterCsv(
      'username,date,start,end\nDemo-Operator,2026-12-01,08:00,16:00\ndemo-operator-2,2026-12-01,22:00,06:00\n',
    );
    expect(errors).toEqual([]);
    expect(shifts[0]).toMatchObject({ line: 2, username: 'demo-operator' });
    expect(shifts[0].startsAt.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(shifts[0].endsAt.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(shifts[1].endsAt.toISOString()).toBe('2026-12-01T22:00:00.000Z');
  });
  it('names every bad line', () => {
    const { errors } = parseRosterCsv('username,date,start,end\n,2026-12-01,8,16:00\nx,2026-13-45,08:00,09:00\n');
    expect(errors).toEqual(
      expect.arrayContaining([
        'line 2: username is empty',
        'line 2: start must be HH:mm',
        'line 3: 2026-13-45 is not a date',
      ]),
    );
  });
  it('requires the header columns', () => {
    expect(parseRosterCsv('name,day\nx,y').errors).toEqual(['missing column(s): username, date, start, end']);
    expect(parseRosterCsv('').errors[0]).toMatch(/no shifts/);
  });
  it(`refuses more than ${MAX_ROSTER_ROWS} shifts, naming the cap`, () => {
    const roster = (n: number) =>
      ['username,date,start,end', ...Array.from({ length: n }, () => 'a,2026-12-01,08:00,16:00')].join('\n');
    expect(parseRosterCsv(roster(MAX_ROSTER_ROWS)).shifts).toHaveLength(MAX_ROSTER_ROWS);
    const over = parseRosterCsv(roster(MAX_ROSTER_ROWS + 1));
    expect(over).toMatchObject({ shifts: [], overCap: true });
    expect(over.errors[0]).toContain(String(MAX_ROSTER_ROWS));
  });
});
