import { maskPhoneNumber } from './mask';

describe('maskPhoneNumber', () => {
  it('keeps 3 + 4 digits of a mobile number', () => expect(maskPhoneNumber('13812345678')).toBe('138****5678'));
  it('strips separators first', () => expect(maskPhoneNumber('138-1234-5678')).toBe('138****5678'));
  it('hides short numbers but the last 4', () => expect(maskPhoneNumber('12345')).toBe('*2345'));
  it('never shows a very short number', () => expect(maskPhoneNumber('110')).toBe('***'));
  it('is null for no number', () => expect(maskPhoneNumber(undefined)).toBeNull());
});
