import { OutcomeBody, RECORD_FIELDS, RecordContent, RecordField } from '@kapok/contracts';

// The record's content and its fields are part of the API (versions), shared with the console.
export { HIGH_RISK_ASSESSMENTS, RECORD_FIELDS } from '@kapok/contracts';
export type { RecordContent, RecordField } from '@kapok/contracts';

/**
 * The outcome record as the records library reads it: the body of `POST /api/contacts/:id/outcome`. The request
 * classes that validate it (OutcomeDto and friends) live in @kapok/contacts and implement it.
 */
export type OutcomeInput = OutcomeBody;

/** What an amendment may change (follow-ups are handled through their own endpoints). */
export type AmendableInput = Omit<OutcomeInput, 'followUp'>;

export function contentOf(i: OutcomeInput): RecordContent {
  return plain({
    serviceTypes: i.serviceTypes,
    targetGroup: i.targetGroup,
    summary: i.summary,
    psychological: i.psychological ?? null,
    materialAid: i.materialAid ?? null,
    problems: i.problems,
    followUp: i.followUp ?? null,
  });
}

/** A JSON round trip: request class instances become plain data, undefined properties disappear. */
export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v ?? null));
}

/** JSON with object keys sorted (jsonb does not keep key order), for comparing contents. */
export function stableJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}

export function changedFields(before: RecordContent, after: RecordContent): RecordField[] {
  return RECORD_FIELDS.filter((f) => stableJson(before[f]) !== stableJson(after[f]));
}

/** The author may amend their record this long after recording it; a supervisor at any time. */
export const AUTHOR_AMEND_WINDOW_HOURS = 24;
