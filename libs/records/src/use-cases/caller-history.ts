import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { AppConfig } from '@kapok/config';
import { CallerHistoryResult } from '@kapok/contracts';
import { AidRequestRepository } from '../aid-request.repository';
import { OPEN_AID_STATUSES } from '../aid-state-machine';
import { FollowUpListRepository, OPEN_FOLLOW_UP_STATUSES } from '../follow-up-list.repository';
import { RecordAccess } from '../record-access';
import { RecordRepository } from '../record.repository';
import { toAidRequestView, toFollowUpView, toHistoryItem } from '../records.views';
import { recordSubject } from './get-record';

/**
 * The caller's earlier contacts (recognised by the keyed hash of their number), for the operator who is offered
 * or handles a contact, within what they may see: date, service types, summary, risk, and the caller's open
 * follow-ups and aid requests. Newest first.
 */
@Injectable()
export class CallerHistory {
  constructor(
    private readonly records: RecordRepository,
    private readonly access: RecordAccess,
    private readonly aid: AidRequestRepository,
    private readonly followUps: FollowUpListRepository,
    private readonly config: AppConfig,
  ) {}

  async execute(contactId: string, user: AuthUser, limit = 20): Promise<CallerHistoryResult> {
    const scope = await this.access.scopeOf(user);
    const contact = await this.access.ensureVisible(user, scope, await this.records.find(contactId), recordSubject, {
      what: 'Contact',
    });
    const base = {
      contactId,
      callerNumberMasked: contact.caller_number_masked,
      recognised: !!contact.caller_number_hash,
    };
    if (!contact.caller_number_hash) return { ...base, previous: [], openFollowUps: [], openAidRequests: [] };
    const rows = await this.records.sameCaller(
      user,
      scope,
      contact.caller_number_hash,
      { contactId, queuedAt: contact.queued_at },
      limit,
    );
    const ids = rows.map((r) => r.contact_id);
    const [followUps, aid] = await Promise.all([
      this.followUps.forContacts(ids),
      this.aid.forContacts(ids, this.config.get('AID_OVERDUE_HOURS')),
    ]);
    return {
      ...base,
      previous: rows.map((r) => toHistoryItem(r, followUps, aid)),
      openFollowUps: followUps
        .filter((f) => (OPEN_FOLLOW_UP_STATUSES as readonly string[]).includes(f.status))
        .map(toFollowUpView),
      openAidRequests: aid
        .filter((a) => (OPEN_AID_STATUSES as readonly string[]).includes(a.status))
        .map((a) => toAidRequestView(a)),
    };
  }
}
