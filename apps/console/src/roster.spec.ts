import { daysOfMonth, formatInterval, monthCoverage, monthRange, shanghai, ShiftItem, uncovered } from './roster';

const H = 3600_000;
const shift = (date: string, start: string, end: string, workerId = 'w1'): ShiftItem => {
  const startsAt = shanghai(date, start);
  let endsAt = shanghai(date, end);
  if (endsAt <= startsAt) endsAt += 24 * H;
  return {
    id: `${workerId}-${date}-${start}`,
    stationId: 's',
    workerId,
    username: workerId,
    workerName: workerId,
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
  };
};

describe('console roster: the month in Shanghai time and its coverage gaps', () => {
  it('lists the days of a month and its bounds with the +08:00 offset', () => {
    expect(daysOfMonth('2027-02')).toHaveLength(28);
    expect(daysOfMonth('2028-02')).toHaveLength(29);
    expect(daysOfMonth('2026-12').at(-1)).toBe('2026-12-31');
    expect(monthRange('2026-12')).toEqual({ from: '2026-12-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' });
  });

  it('finds the stretches the intervals leave uncovered', () => {
    expect(uncovered([], 0, 10)).toEqual([[0, 10]]);
    expect(
      uncovered(
        [
          [2, 4],
          [3, 6],
          [8, 12],
        ],
        0,
        10,
      ),
    ).toEqual([
      [0, 2],
      [6, 8],
    ]);
    expect(uncovered([[-5, 20]], 0, 10)).toEqual([]);
  });

  it('reports the hours nobody is rostered for, from now on, with overnight shifts counted on the next morning', () => {
    const now = shanghai('2026-12-02', '12:00');
    const shifts = [
      shift('2026-12-01', '08:00', '16:00'),
      shift('2026-12-02', '08:00', '16:00'),
      shift('2026-12-02', '16:00', '00:00', 'w2'),
      shift('2026-12-03', '22:00', '08:00', 'w2'), // overnight into the 4th
      shift('2026-12-04', '08:00', '00:00'),
    ];
    const days = monthCoverage('2026-12', shifts, now);
    expect(days).toHaveLength(31);
    expect(days[0]).toMatchObject({ date: '2026-12-01', past: true, gaps: [] });
    // the 2nd: covered from noon (now) to midnight
    expect(days[1].gaps).toEqual([]);
    expect(days[1].hours[9]).toBe(1);
    expect(days[1].hours[3]).toBe(0);
    // the 3rd: nobody until 22:00
    expect(days[2].gaps.map(formatInterval)).toEqual(['00:00–22:00']);
    // the 4th: covered all day (the night shift until 08:00, then the day shift)
    expect(days[3].gaps).toEqual([]);
    // the 5th: nobody at all
    expect(days[4].gaps.map(formatInterval)).toEqual(['00:00–24:00']);
  });

  it('marks an hour only partly covered', () => {
    const days = monthCoverage('2026-12', [shift('2026-12-10', '08:30', '10:00')], shanghai('2026-12-01'));
    expect(days[9].hours.slice(8, 11)).toEqual([-1, 1, 0]);
  });
});
