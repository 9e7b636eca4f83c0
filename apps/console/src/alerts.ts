/**
 * Risk alerts as work items kept on the server (`GET /api/alerts`, docs/alerts.md): the open list (待处理) and the
 * history (历史), acknowledging one, and the console's wording and live wait of an alert. The screens are in
 * pages/RiskAlerts.tsx.
 */
import type { Channel, ContactStatus, Page, RiskAlertSource, RiskAlertState, RiskAlertView } from '@kapok/contracts';
import { ApiError, describeError, get, post } from './api';
import { serverReason } from './server-reasons';
import {
  CONTACT_STATUS_LABELS,
  contactWords,
  label,
  RISK_ALERT_SOURCE_LABELS,
  RISK_ALERT_STATE_LABELS,
} from './labels';
import { isTextChannel, TEXT_CONTACT_STATUS_LABELS } from './conversation/text-labels';

/** The contact statuses in which the person is still waiting for someone to answer. */
const WAITING: readonly ContactStatus[] = ['queued', 'offered'];

/** The person of this alert is still waiting (queued, or offered to an operator who has not answered yet). */
export const isWaiting = (a: Pick<RiskAlertView, 'contactStatus'>): boolean => WAITING.includes(a.contactStatus);

/**
 * How long the person has waited, in whole seconds, at `now`: the server's `waitedSeconds` (at `asOf`) plus the time
 * since, while still waiting; frozen once answered or gone. `since` is when the server's figure held: by default its
 * `asOf`; the console passes the moment the list arrived, which a browser clock set wrong does not skew.
 */
export function liveWaitSeconds(
  a: Pick<RiskAlertView, 'contactStatus' | 'waitedSeconds' | 'asOf'>,
  now: number,
  since: number = Date.parse(a.asOf),
): number {
  const base = Number.isFinite(a.waitedSeconds) ? Math.max(0, a.waitedSeconds) : 0;
  const extra = isWaiting(a) && Number.isFinite(since) ? Math.max(0, (now - since) / 1000) : 0;
  return Math.floor(base + extra);
}

/**
 * How often to reload the open list: answering a critical contact sends no event, so while someone waits it is
 * reloaded often to see the alert leave; otherwise now and then (events bring the rest).
 */
export const REFRESH_WHILE_WAITING_MS = 8_000;
export const REFRESH_IDLE_MS = 60_000;
export const refreshInterval = (open: readonly Pick<RiskAlertView, 'contactStatus'>[]): number =>
  open.some(isWaiting) ? REFRESH_WHILE_WAITING_MS : REFRESH_IDLE_MS;

/** What raised it, in the contact's words: 危急来电 (phone), 危急会话 (chat, WeChat), 风险评估为“紧急风险”. */
export function riskAlertSourceText(source: RiskAlertSource, channel: Channel | null | undefined): string {
  if (source === 'critical_contact') return `危急${contactWords(channel ?? 'phone').contact}`;
  return label(RISK_ALERT_SOURCE_LABELS, source);
}

/** Where it stands, in the contact's words (a text contact that was taken is 已接入, a call 已接听). */
export function riskAlertStateText(state: RiskAlertState, channel: Channel): string {
  if (state === 'answered' && isTextChannel(channel)) return '已接入';
  return label(RISK_ALERT_STATE_LABELS, state);
}

/** The contact's status now, in the words of its channel (排队中, 振铃中 / 待接入, 通话中 / 会话中 …). */
export const contactStatusText = (status: ContactStatus, channel: Channel): string =>
  label(isTextChannel(channel) ? TEXT_CONTACT_STATUS_LABELS : CONTACT_STATUS_LABELS, status);

/** One line for screen readers and notifications: 北京街社工站：危急来电，排队中。 */
export function describeRiskAlert(
  a: Pick<RiskAlertView, 'stationName' | 'source' | 'channel' | 'contactStatus'> | null,
  fallback: { stationName: string; source: RiskAlertSource },
): string {
  if (!a) return `${fallback.stationName}：${riskAlertSourceText(fallback.source, null)}`;
  return `${a.stationName}：${riskAlertSourceText(a.source, a.channel)}，${contactStatusText(a.contactStatus, a.channel)}`;
}

// ------------------------------------------------------------------------------------------ the API

export const OPEN_PAGE_SIZE = 100;
export const HISTORY_PAGE_SIZE = 10;

export const listOpenAlerts = () => get<Page<RiskAlertView>>(`/alerts?state=open&page=1&pageSize=${OPEN_PAGE_SIZE}`);
export const listAlertHistory = (page: number, pageSize = HISTORY_PAGE_SIZE) =>
  get<Page<RiskAlertView>>(`/alerts?state=closed&page=${page}&pageSize=${pageSize}`);
/** Acknowledges an alert, with a note when one is written (idempotent on the server). */
export const acknowledgeAlert = (id: string, note: string) =>
  post<RiskAlertView>(`/alerts/${id}/acknowledge`, note.trim() ? { note: note.trim() } : {});

/** An error of the alerts API in Chinese; a refusal (403) says why (an admin does not acknowledge), not only 没有权限. */
export function describeAlertError(e: unknown): string {
  if (e instanceof ApiError && e.status === 403 && e.messages.length) return e.messages.map(serverReason).join('；');
  return describeError(e);
}

// ------------------------------------------------------------------------------------------ muting the sound

const MUTE_KEY = 'kapok.riskAlerts.muted';

/** Whether the alert sound is muted on this browser (remembered across sign-ins: it is the workstation's choice). */
export function loadMuted(storage: Pick<Storage, 'getItem'> | null = safeLocalStorage()): boolean {
  try {
    return storage?.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}

export function saveMuted(muted: boolean, storage: Pick<Storage, 'setItem'> | null = safeLocalStorage()): void {
  try {
    storage?.setItem(MUTE_KEY, muted ? '1' : '0');
  } catch {
    /* storage disabled: muted for this page only */
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
