import { randomInt } from 'node:crypto';
import { maskPhoneNumber } from './mask';

describe('maskPhoneNumber', () => {
  it.each([
    // 11-digit mobiles: the conventional 3 + 4
    ['13812345678', '138****5678'],
    ['138-1234-5678', '138****5678'],
    ['138 1234 5678', '138****5678'],
    ['19912345678', '199****5678'],
    // 13 digits: a mobile with its country code, still 3 + 4 of the mobile
    ['+8613812345678', '138****5678'],
    ['8613812345678', '138****5678'],
    ['+86 138-1234-5678', '138****5678'],
    ['008613812345678', '138****5678'],
    // 13 digits that are not a mobile: the last 4 only
    ['0755812345678', '*********5678'],
    ['8612345678901', '*********8901'],
    // 12 digits: a landline with the country code and area code
    ['+86 20 8123 4567', '********4567'],
    // 11 digits that are not a mobile: a landline with its area code, or a 1x number outside 13–19
    ['020-81234567', '*******4567'],
    ['02081234567', '*******4567'],
    ['12012345678', '*******5678'],
    // 10 and 9 digits
    ['0755-123456', '******3456'],
    ['812345678', '*****5678'],
    // 8 digits: a local landline, half hidden
    ['81234567', '****4567'],
    ['8123-4567', '****4567'],
    // 7 digits: 3 shown (never more than half)
    ['1234567', '****567'],
    ['123-4567', '****567'],
    // 6 and 5 digits
    ['123456', '***456'],
    ['12345', '***45'],
    // 4 digits or fewer: nothing shown
    ['1234', '****'],
    ['110', '***'],
    ['+1', '*'],
  ])('%s → %s', (raw, expected) => expect(maskPhoneNumber(raw)).toBe(expected));

  it('is null for no number', () => {
    expect(maskPhoneNumber(undefined)).toBeNull();
    expect(maskPhoneNumber(null)).toBeNull();
    expect(maskPhoneNumber('')).toBeNull();
    expect(maskPhoneNumber('+ -')).toBeNull();
  });

  /** A number of `length` digits written with random separators and maybe a leading `+`. */
  const written = (digits: string) => {
    let out = randomInt(4) === 0 ? '+' : '';
    for (const d of digits) out += (randomInt(5) === 0 ? ['-', ' '][randomInt(2)] : '') + d;
    return out;
  };
  const randomDigits = (length: number, first = '') => {
    let s = first;
    while (s.length < length) s += String(randomInt(10));
    return s;
  };

  it('never shows more than the rule allows (5,000 random numbers of 1–20 digits, mobiles included)', () => {
    const mobile = /^(?:(?:00)?86)?(1[3-9]\d{9})$/;
    let mobiles = 0;
    for (let i = 0; i < 5000; i++) {
      const kind = randomInt(4);
      const digits =
        kind === 0
          ? `${['', '86', '0086'][randomInt(3)]}1${randomInt(3, 10)}${randomDigits(9)}` // a mobile, maybe with +86
          : kind === 1
            ? randomDigits(randomInt(7, 10)) // the 7–9 digit numbers that used to show nearly everything
            : randomDigits(randomInt(1, 21));
      const raw = written(digits);
      const out = maskPhoneNumber(raw)!;
      const context = { raw, out };
      expect({ ...context, form: /^[0-9*]+$/.test(out) }).toEqual({ ...context, form: true });
      const m = mobile.exec(digits);
      if (m) {
        mobiles++;
        expect(out).toBe(`${m[1].slice(0, 3)}****${m[1].slice(-4)}`);
        continue;
      }
      // one character per digit; the shown digits are the number's last ones, after every `*`
      expect({ ...context, length: out.length }).toEqual({ ...context, length: digits.length });
      const shown = out.replace(/^\*+/, '');
      expect({ ...context, suffix: digits.endsWith(shown) && !shown.includes('*') }).toEqual({
        ...context,
        suffix: true,
      });
      // at most the last 4, at most half
      expect({ ...context, ok: shown.length <= 4 && shown.length * 2 <= digits.length }).toEqual({
        ...context,
        ok: true,
      });
      // and no more hidden than needed once there are 8 digits (the last 4 stay recognisable)
      if (digits.length >= 8) expect({ ...context, shown: shown.length }).toEqual({ ...context, shown: 4 });
    }
    expect(mobiles).toBeGreaterThan(1000);
  });
});
