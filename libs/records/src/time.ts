/** Days are Asia/Shanghai days (UTC+8, no daylight saving), as in the statistics. */
const SHANGHAI_OFFSET = '+08:00';
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A bound of a date range: `YYYY-MM-DD` (an Asia/Shanghai day; as an upper bound, the day is included) or an
 * ISO 8601 date-time with offset. Undefined when the text is neither (or not a real date).
 */
export function parseRangeBound(value: string, upper: boolean): Date | undefined {
  const day = DAY.exec(value);
  if (day) {
    const d = new Date(`${value}T00:00:00${SHANGHAI_OFFSET}`);
    if (Number.isNaN(d.getTime())) return undefined;
    // 2026-02-30 would roll over to March: refuse it
    const back = new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    if (back !== value) return undefined;
    return upper ? new Date(d.getTime() + 24 * 3600_000) : d;
  }
  if (DATE_TIME.test(value)) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}
