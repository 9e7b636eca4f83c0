/**
 * The records API (issue 4) as the console uses it: records search and detail, review, caller history, follow-ups.
 * A route the server does not have answers "not available" instead of failing the screen.
 */
import type {
  AidRequestView,
  CallerHistoryResult,
  CallerNumberView,
  FollowUpView,
  OrgUnitView,
  OutcomeBody,
  Page,
  RecordListItem,
  RecordView,
} from '@kapok/contracts';
import { get, isMissingRoute, post, put } from './api';

export type Maybe<T> = { available: true; data: T } | { available: false };

async function maybe<T>(path: string): Promise<Maybe<T>> {
  try {
    return { available: true, data: await get<T>(path) };
  } catch (e) {
    if (isMissingRoute(e)) return { available: false };
    throw e;
  }
}

export const callerHistory = (contactId: string) =>
  maybe<CallerHistoryResult>(`/contacts/${contactId}/history?limit=10`);
export const listFollowUps = (query: string) => maybe<Page<FollowUpView>>(`/follow-ups?${query}`);
export const completeFollowUp = (id: string, note: string) =>
  post<FollowUpView>(`/follow-ups/${id}/complete`, note ? { note } : {});
export const searchRecords = (query: string) => maybe<Page<RecordListItem>>(`/records?${query}`);
export const getRecord = (contactId: string) => get<RecordView>(`/records/${contactId}`);
/** A review; the comment is optional (left out when blank). */
export const reviewRecord = (contactId: string, comment: string, expectedVersion?: number) =>
  post<RecordView>(`/records/${contactId}/review`, {
    ...(comment.trim() ? { comment: comment.trim() } : {}),
    ...(expectedVersion ? { expectedVersion } : {}),
  });
/** Unreviewed completed records, high-risk first (supervisors). */
export const reviewQueue = (page: number, pageSize: number) =>
  get<Page<RecordListItem>>(`/records/review-queue?page=${page}&pageSize=${pageSize}`);
/** The whole record as it should read now (a new version); 409 when `expectedVersion` is no longer current. */
export const amendRecord = (
  contactId: string,
  body: Omit<OutcomeBody, 'followUp'> & { reason?: string; expectedVersion?: number },
) => put<RecordView>(`/records/${contactId}`, body);
/** The caller's full number to call back: the server writes each read, with the reason, to the audit log. */
export const readCallerNumber = (contactId: string, reason: string) =>
  get<CallerNumberView>(`/contacts/${contactId}/caller-number?reason=${encodeURIComponent(reason)}`);

// ------------------------------------------------------------------------------------------ material aid
/**
 * The stations (with their districts) an outcome may name to deliver material aid; with `points`, also their open
 * 村(居) points (level `point`, `parentId` the station).
 */
export const deliveringStations = (points = false) =>
  get<OrgUnitView[]>(points ? '/delivering-stations?points=true' : '/delivering-stations');
/** Where the aid is delivered from: the station, and its 村(居) point when one was named (站名 · 村(居)名). */
export const deliveringPlace = (a: Pick<AidRequestView, 'deliveringStationName' | 'deliveringPointName'>) =>
  a.deliveringPointName ? `${a.deliveringStationName} · ${a.deliveringPointName}` : a.deliveringStationName;
export type AidStep = 'arrange' | 'deliver' | 'cancel';
export const listAidRequests = (query: string) => get<Page<AidRequestView>>(`/aid-requests?${query}`);
export const getAidRequest = (id: string) => get<AidRequestView>(`/aid-requests/${id}`);
/** arrange / deliver with an optional note; cancel with its reason. */
export const changeAidRequest = (id: string, step: AidStep, text: string) =>
  post<AidRequestView>(
    `/aid-requests/${id}/${step}`,
    step === 'cancel' ? { reason: text.trim() } : text.trim() ? { note: text.trim() } : {},
  );
