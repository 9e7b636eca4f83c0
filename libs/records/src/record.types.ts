/**
 * The outcome record as the records library reads it. The request classes that validate it (OutcomeDto and
 * friends) live in @kapok/contacts and are structurally this (an OutcomeDto is an OutcomeInput).
 */
export interface OutcomeInput {
  serviceTypes: string[];
  targetGroup: string;
  summary: string;
  psychological?: { riskAssessment: string; interventions: string[] } | null;
  materialAid?: {
    items: { category: string; description: string; quantity: number }[];
    deliveringStationId?: string;
  } | null;
  problems: { category: string; resolution: string }[];
  followUp?: { dueAt: string; note: string } | null;
}

/** What an amendment may change (follow-ups are handled through their own endpoints). */
export type AmendableInput = Omit<OutcomeInput, 'followUp'>;

/** The fields of a record's content, in the order versions list what changed. */
export const RECORD_FIELDS = [
  'serviceTypes',
  'targetGroup',
  'summary',
  'psychological',
  'materialAid',
  'problems',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/** One version of a record's content (what `outcome_versions.content` holds). */
export interface RecordContent {
  serviceTypes: string[];
  targetGroup: string;
  summary: string;
  psychological: OutcomeInput['psychological'] | null;
  materialAid: OutcomeInput['materialAid'] | null;
  problems: OutcomeInput['problems'];
  followUp: OutcomeInput['followUp'] | null;
}

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

/** Risk assessments that make a record high-risk (with the contact's own risk level high or critical). */
export const HIGH_RISK_ASSESSMENTS = ['high', 'imminent'];

/** The author may amend their record this long after recording it; a supervisor at any time. */
export const AUTHOR_AMEND_WINDOW_HOURS = 24;
