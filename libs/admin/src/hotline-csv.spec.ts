import { MAX_HOTLINE_ROWS, parseHotlineCsv } from './hotline-csv';

describe('parseHotlineCsv', () => {
  it('reads rows by their header, whatever the order and case, with a BOM and CRLF', () => {
    const { rows, errors } = parseHotlineCsv('\uFEFFName,NUMBER,stationcode\r\n越秀热线,020-8100-0001,YX-BJJ\r\n');
    expect(errors).toEqual([]);
    expect(rows).toEqual([{ line: 2, number: '020-8100-0001', stationCode: 'YX-BJJ', name: '越秀热线' }]);
  });

  it('names every bad row by its line in the file', () => {
    const { errors } = parseHotlineCsv(
      ['number,stationCode,name', '1,S,a', '2 3,S,b', '1,S,c', ',,', '4,S'].join('\n'),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^line 3: number "2 3" must be/),
      'line 4: number 1 is also on line 2',
      'line 5: number is empty; stationCode is empty; name is empty',
      'line 6: name is empty',
    ]);
  });

  it('refuses a file without the columns, an empty one, and one over the cap', () => {
    expect(parseHotlineCsv('number,name\n1,a').errors).toEqual(['missing column(s): stationCode']);
    expect(parseHotlineCsv('').errors[0]).toMatch(/no lines/);
    const big = ['number,stationCode,name', ...Array.from({ length: MAX_HOTLINE_ROWS + 1 }, (_, i) => `${i},S,n`)];
    expect(parseHotlineCsv(big.join('\n')).overCap).toBe(true);
  });
});
