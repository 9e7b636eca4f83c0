/**
 * The records API (issue 4) as the console uses it: records search and detail, review, caller history, follow-ups.
 * A route the server does not have answers "not available" instead of failing the screen.
 */
import type { CallerHistoryResult, FollowUpView, Page, RecordListItem, RecordView } from '@kapok/contracts';
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

export const callerHistory = (contactId: string) =>
  maybe<CallerHistoryResult>(`/contacts/${contactId}/history?limit=10`);
export const listFollowUps = (query: string) => maybe<Page<FollowUpView>>(`/follow-ups?${query}`);
export const completeFollowUp = (id: string, note: string) =>
  post<FollowUpView>(`/follow-ups/${id}/complete`, note ? { note } : {});
export const searchRecords = (query: string) => maybe<Page<RecordListItem>>(`/records?${query}`);
export const getRecord = (contactId: string) => get<RecordView>(`/records/${contactId}`);
export const reviewRecord = (contactId: string, comment: string, expectedVersion?: number) =>
  post(`/records/${contactId}/review`, { comment, ...(expectedVersion ? { expectedVersion } : {}) });
