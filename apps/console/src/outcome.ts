/**
 * The outcome (服务记录) as the operator edits it: a draft that lives in localStorage per person and contact (so a
 * reload, a crash or a dropped connection loses nothing; how long it stays: session.tsx), the client-side checks that mirror the server's rules (OutcomeDto), and the
 * request body built from a valid draft. No DOM or React here: apps/console/src/outcome.spec.ts tests it under Jest.
 * The codes are the server's own lists (@kapok/contracts).
 */
import {
  AID_CATEGORIES,
  type OutcomeAidItem,
  type OutcomeBody,
  type OutcomeProblem,
  RESOLUTIONS,
  RISK_ASSESSMENTS,
  type RiskAssessment,
  SERVICE_TYPES,
  type ServiceType,
  TARGET_GROUPS,
  type TargetGroup,
} from '@kapok/contracts';

/** The form's state: what the person picked so far ('' where nothing yet), as kept in the local draft. */
export interface AidItemDraft {
  category: string;
  description: string;
  quantity: number | null;
}

export interface ProblemDraft {
  category: string;
  resolution: string;
}

export interface OutcomeDraft {
  serviceTypes: string[];
  targetGroup: string;
  summary: string;
  riskAssessment: string;
  interventions: string[];
  aidItems: AidItemDraft[];
  /** The station that delivers the aid; absent: the station of the line (the server's default). */
  deliveringStationId?: string;
  /** The 村(居) point of that station that delivers the aid; absent: none (the station itself). */
  deliveringPointId?: string;
  problems: ProblemDraft[];
  followUpEnabled: boolean;
  followUpDueAt: string;
  followUpNote: string;
}

export const blankDraft = (): OutcomeDraft => ({
  serviceTypes: [],
  targetGroup: '',
  summary: '',
  riskAssessment: '',
  interventions: [],
  aidItems: [],
  problems: [],
  followUpEnabled: false,
  followUpDueAt: '',
  followUpNote: '',
});

/** Field path (as the form shows it) → message in Chinese. */
export type OutcomeErrors = Record<string, string>;

const LIMITS = {
  summary: 10000,
  interventions: 20,
  intervention: 100,
  aidItems: 50,
  aidDescription: 500,
  aidQuantity: 1_000_000,
  problems: 50,
  problemCategory: 100,
  followUpNote: 2000,
};

export function validateOutcome(d: OutcomeDraft, now: Date = new Date()): OutcomeErrors {
  const e: OutcomeErrors = {};
  const types = d.serviceTypes;
  if (!types.length) e.serviceTypes = '请至少选择一项服务类型';
  else if (types.some((t) => !(SERVICE_TYPES as readonly string[]).includes(t))) e.serviceTypes = '服务类型无效';
  else if (new Set(types).size !== types.length) e.serviceTypes = '服务类型重复';

  if (!(TARGET_GROUPS as readonly string[]).includes(d.targetGroup)) e.targetGroup = '请选择服务对象类别';

  if (!d.summary.trim()) e.summary = '请填写服务摘要';
  else if (d.summary.length > LIMITS.summary) e.summary = `服务摘要不能超过 ${LIMITS.summary} 字`;

  if (types.includes('psychological_support')) {
    if (!(RISK_ASSESSMENTS as readonly string[]).includes(d.riskAssessment))
      e.riskAssessment = '提供心理疏导时必须完成风险评估';
    if (d.interventions.length > LIMITS.interventions) e.interventions = `干预措施最多 ${LIMITS.interventions} 项`;
    else if (d.interventions.some((i) => !i.trim() || i.length > LIMITS.intervention)) {
      e.interventions = `每项干预措施须为 1–${LIMITS.intervention} 字`;
    }
  }

  if (types.includes('material_aid')) {
    if (!d.aidItems.length) e.aidItems = '提供物资保障时请至少填写一项物资';
    else if (d.aidItems.length > LIMITS.aidItems) e.aidItems = `物资最多 ${LIMITS.aidItems} 项`;
    d.aidItems.forEach((item, i) => {
      if (!(AID_CATEGORIES as readonly string[]).includes(item.category))
        e[`aidItems.${i}.category`] = '请选择物资类别';
      if (!item.description.trim()) e[`aidItems.${i}.description`] = '请填写物资说明';
      else if (item.description.length > LIMITS.aidDescription) {
        e[`aidItems.${i}.description`] = `物资说明不能超过 ${LIMITS.aidDescription} 字`;
      }
      if (item.quantity == null || !Number.isFinite(item.quantity) || item.quantity <= 0) {
        e[`aidItems.${i}.quantity`] = '数量须大于 0';
      } else if (item.quantity > LIMITS.aidQuantity) {
        e[`aidItems.${i}.quantity`] = `数量不能超过 ${LIMITS.aidQuantity.toLocaleString('zh-CN')}`;
      }
    });
  }

  if (d.problems.length > LIMITS.problems) e.problems = `问题最多 ${LIMITS.problems} 项`;
  d.problems.forEach((p, i) => {
    if (!p.category.trim()) e[`problems.${i}.category`] = '请填写问题类别';
    else if (p.category.length > LIMITS.problemCategory)
      e[`problems.${i}.category`] = `问题类别不能超过 ${LIMITS.problemCategory} 字`;
    if (!(RESOLUTIONS as readonly string[]).includes(p.resolution)) e[`problems.${i}.resolution`] = '请选择处理结果';
  });

  if (d.followUpEnabled) {
    const due = d.followUpDueAt ? new Date(d.followUpDueAt) : null;
    if (!due || Number.isNaN(due.getTime())) e.followUpDueAt = '请选择回访时间';
    else if (due.getTime() <= now.getTime()) e.followUpDueAt = '回访时间须晚于现在';
    if (d.followUpNote.length > LIMITS.followUpNote) e.followUpNote = `回访备注不能超过 ${LIMITS.followUpNote} 字`;
  }
  return e;
}

/** Formats a date as ISO 8601 with the browser's offset (2026-12-01T10:00:00+08:00), as the contract wants. */
export function isoWithOffset(d: Date): string {
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:` +
    `${pad(d.getSeconds())}${sign}${pad(off / 60)}:${pad(off % 60)}`
  );
}

/**
 * The body of POST /api/contacts/:id/outcome for a draft that passed validateOutcome (which is why its codes may be
 * taken as the contract's: validateOutcome checked each against the lists).
 */
export function toOutcomeBody(d: OutcomeDraft): OutcomeBody {
  const body: OutcomeBody = {
    serviceTypes: d.serviceTypes as ServiceType[],
    targetGroup: d.targetGroup as TargetGroup,
    summary: d.summary.trim(),
    problems: d.problems.map((p): OutcomeProblem => ({
      category: p.category.trim(),
      resolution: p.resolution as OutcomeProblem['resolution'],
    })),
  };
  if (d.serviceTypes.includes('psychological_support')) {
    body.psychological = {
      riskAssessment: d.riskAssessment as RiskAssessment,
      interventions: d.interventions.map((i) => i.trim()),
    };
  }
  if (d.serviceTypes.includes('material_aid')) {
    body.materialAid = {
      items: d.aidItems.map((i): OutcomeAidItem => ({
        category: i.category as OutcomeAidItem['category'],
        description: i.description.trim(),
        quantity: i.quantity as number,
      })),
      ...(d.deliveringStationId ? { deliveringStationId: d.deliveringStationId } : {}),
      ...(d.deliveringPointId ? { deliveringPointId: d.deliveringPointId } : {}),
    };
  }
  if (d.followUpEnabled) body.followUp = { dueAt: isoWithOffset(new Date(d.followUpDueAt)), note: d.followUpNote };
  return body;
}

// ------------------------------------------------------------------------------------------ local drafts

export interface DraftStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
  readonly length: number;
}

const PREFIX = 'kapok.draft.';
/** A draft untouched this long (a shift: the token's lifetime) is of no more use on this browser. */
export const DRAFT_MAX_AGE_MS = 12 * 3600 * 1000;
export const draftKey = (userId: string, contactId: string) => `${PREFIX}${userId}.${contactId}`;

export interface StoredDraft {
  draft: OutcomeDraft;
  savedAt: string;
}

export function loadDraft(store: DraftStore, userId: string, contactId: string): StoredDraft | null {
  try {
    const raw = JSON.parse(store.getItem(draftKey(userId, contactId)) ?? 'null');
    if (!raw || typeof raw !== 'object' || !raw.draft) return null;
    return { draft: { ...blankDraft(), ...raw.draft }, savedAt: String(raw.savedAt ?? '') };
  } catch {
    return null;
  }
}

export function saveDraft(
  store: DraftStore,
  userId: string,
  contactId: string,
  draft: OutcomeDraft,
  now = new Date(),
): string {
  const savedAt = now.toISOString();
  try {
    store.setItem(draftKey(userId, contactId), JSON.stringify({ draft, savedAt }));
  } catch {
    /* storage full or disabled: the draft stays in memory */
  }
  return savedAt;
}

export function clearDraft(store: DraftStore, userId: string, contactId: string): void {
  store.removeItem(draftKey(userId, contactId));
}

/** Drops drafts untouched for 12 hours (their shift is over; the contact is handled or reassigned elsewhere). */
export function pruneDrafts(store: DraftStore, now = new Date()): void {
  const stale: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const k = store.key(i);
    if (!k?.startsWith(PREFIX)) continue;
    try {
      const saved = Date.parse(JSON.parse(store.getItem(k) ?? '{}').savedAt);
      if (!Number.isFinite(saved) || now.getTime() - saved > DRAFT_MAX_AGE_MS) stale.push(k);
    } catch {
      stale.push(k);
    }
  }
  stale.forEach((k) => store.removeItem(k));
}

const draftKeys = (store: DraftStore, keep: (key: string) => boolean = () => false): string[] => {
  const keys: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const k = store.key(i);
    if (k?.startsWith(PREFIX) && !keep(k)) keys.push(k);
  }
  return keys;
};

/** Removes every draft of every person (sign-out on a shared workstation). */
export function clearAllDrafts(store: DraftStore): void {
  draftKeys(store).forEach((k) => store.removeItem(k));
}

/** Removes the drafts of everyone but this person (someone else signed in on this browser). */
export function dropDraftsOfOthers(store: DraftStore, userId: string): void {
  const own = `${PREFIX}${userId}.`;
  draftKeys(store, (k) => k.startsWith(own)).forEach((k) => store.removeItem(k));
}
