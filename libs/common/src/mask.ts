/** A mainland mobile number: 11 digits, 1 then 3–9 (138 1234 5678). */
const MOBILE = /^1[3-9][0-9]{9}$/;
/** The country code in front of a mobile number: +86, 0086 or 86 (the `+` is gone with the separators). */
const COUNTRY_CODE = /^(?:00)?86(?=1[3-9][0-9]{9}$)/;
/** The most digits any masked number shows (its last ones), mobiles aside. */
const MAX_VISIBLE = 4;

/**
 * Masks a caller's number for display.
 * - An 11-digit mainland mobile, also written with its country code (+86, 0086, 86), keeps the conventional
 *   first 3 and last 4 digits: `138****5678`.
 * - Any other number shows at most its last 4 digits and never more than half of them (rounded down), every
 *   other digit a `*`: `81234567` → `****4567`, `020-81234567` → `*******4567`, `1234567` → `****567`,
 *   `12345` → `***45`; 4 digits or fewer show none (`110` → `***`).
 * Separators (spaces, dashes, `+`, brackets) are dropped. Null when there is no digit at all.
 */
export function maskPhoneNumber(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const digits = raw.replace(/[^0-9]/g, '');
  if (!digits) return null;
  const national = digits.replace(COUNTRY_CODE, '');
  if (MOBILE.test(national)) return `${national.slice(0, 3)}****${national.slice(-4)}`;
  const visible = digits.length <= MAX_VISIBLE ? 0 : Math.min(MAX_VISIBLE, Math.floor(digits.length / 2));
  return '*'.repeat(digits.length - visible) + digits.slice(digits.length - visible);
}
