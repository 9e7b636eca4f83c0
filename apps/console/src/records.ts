/**
 * The records API (issue 4) as the console uses it: records search and detail, review, caller history, follow-ups.
 * A route the server does not have answers "not available" instead of failing the screen.
 */
import { get, isMissingRoute, post } from './api';

export type Maybe<T> = { available: true; data: T } | { available: false };

async function maybe<T>(path: string): Promise<Maybe<T>> {
  try {
    return { available: true, data: await get<T>(path) };
  } catch (e) {
    if (isMissingRoute(e)) return { available: false };
    throw e;
  }
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface AidRequest {
  id: string;
  contactId: string;
  status: 'requested' | 'arranged' | 'delivered' | 'cancelled';
  items: { category: string; description: string; quantity: number }[];
  deliveringStationName: string | null;
  requestedAt: string;
  overdue: boolean;
  cancelReason: string | null;
  steps?: { from: string | null; to: string; actorName: string | null; at: string; note: string | null }[];
}

export interface FollowUp {
  id: string;
  sourceContactId: string;
  workerName: string | null;
  stationName: string | null;
  dueAt: string;
  note: string;
  status: 'scheduled' | 'contact_created' | 'done' | 'cancelled';
  overdue: boolean;
  contactId: string | null;
  callerNumberMasked: string | null;
  sourceRiskAssessment: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface RecordOutcome {
  id: string;
  authorId: string;
  authorName: string | null;
  version: number;
  serviceTypes: string[];
  targetGroup: string;
  summary: string;
  psychological: { riskAssessment: string; interventions: string[] } | null;
  materialAid: {
    items: { category: string; description: string; quantity: number }[];
    deliveringStationId?: string;
  } | null;
  problems: { category: string; resolution: string }[];
  followUp: { dueAt: string; note: string } | null;
  recordedAt: string;
  updatedAt: string;
  amendableByAuthorUntil?: string;
}

export interface RecordItem {
  contactId: string;
  status: string;
  channel: string;
  direction?: string;
  hotlineNumber: string;
  stationName: string | null;
  callerNumberMasked: string | null;
  riskLevel: string;
  riskAssessment: string | null;
  highRisk: boolean;
  workerName: string | null;
  queuedAt: string;
  answeredAt: string | null;
  completedAt: string | null;
  abandonedAt: string | null;
  outcome: RecordOutcome | null;
  reviewed: boolean;
  lastReview: { version: number; at: string; byName: string | null } | null;
  followUp: FollowUp | null;
  aidRequests: AidRequest[];
}

export interface RecordDetail extends RecordItem {
  versions: {
    version: number;
    authorId: string;
    authorName: string | null;
    at: string;
    reason: string | null;
    changed: string[];
  }[];
  reviews: { id: string; version: number; reviewerName: string | null; comment: string; at: string }[];
}

export interface HistoryItem {
  contactId: string;
  date: string;
  status: string;
  channel: string;
  stationName: string | null;
  riskLevel: string;
  riskAssessment: string | null;
  serviceTypes: string[] | null;
  summary: string | null;
  workerName: string | null;
  followUp: FollowUp | null;
  aidRequests: AidRequest[];
}

export interface CallerHistoryResult {
  contactId: string;
  callerNumberMasked: string | null;
  recognised: boolean;
  previous: HistoryItem[];
  openFollowUps: FollowUp[];
  openAidRequests: AidRequest[];
}

export const callerHistory = (contactId: string) =>
  maybe<CallerHistoryResult>(`/contacts/${contactId}/history?limit=10`);
export const listFollowUps = (query: string) => maybe<Page<FollowUp>>(`/follow-ups?${query}`);
export const completeFollowUp = (id: string, note: string) => post(`/follow-ups/${id}/complete`, note ? { note } : {});
export const searchRecords = (query: string) => maybe<Page<RecordItem>>(`/records?${query}`);
export const getRecord = (contactId: string) => get<RecordDetail>(`/records/${contactId}`);
export const reviewRecord = (contactId: string, comment: string, expectedVersion?: number) =>
  post(`/records/${contactId}/review`, { comment, ...(expectedVersion ? { expectedVersion } : {}) });
