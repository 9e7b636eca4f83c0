import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { AppConfig } from '@kapok/config';
import { Tx } from '@kapok/database';
import { OrgScope } from '@kapok/org';
import { AidRequestRepository } from '../aid-request.repository';
import { FollowUpListRepository } from '../follow-up-list.repository';
import { RecordAccess } from '../record-access';
import { RecordRepository, RecordRow } from '../record.repository';
import { RecordView, toRecordView } from '../records.views';

/** One record with its versions, reviews, aid requests (with their steps) and follow-up. 404 outside scope. */
@Injectable()
export class GetRecord {
  constructor(
    private readonly records: RecordRepository,
    private readonly access: RecordAccess,
    private readonly aid: AidRequestRepository,
    private readonly followUps: FollowUpListRepository,
    private readonly config: AppConfig,
  ) {}

  async execute(contactId: string, user: AuthUser): Promise<RecordView> {
    const scope = await this.access.scopeOf(user);
    const row = await this.access.ensureVisible(user, scope, await this.records.find(contactId), recordSubject);
    return this.view(row);
  }

  /**
   * The record locked in `tx` for a change (an amendment, a review), if the user may see it; 404 otherwise. `scope`
   * is read before the transaction (RecordAccess.scopeOf). Lives here, not in RecordAccess: RecordRepository
   * depends on RecordAccess.
   */
  async lockVisible(contactId: string, user: AuthUser, scope: OrgScope, tx: Tx): Promise<RecordRow> {
    return this.access.ensureVisible(user, scope, await this.records.lock(contactId, tx), recordSubject, { tx });
  }

  async view(row: RecordRow): Promise<RecordView> {
    const [followUps, aid, versions, reviews] = await Promise.all([
      this.followUps.forContacts([row.contact_id]),
      this.aid.forContacts([row.contact_id], this.config.get('AID_OVERDUE_HOURS')),
      this.records.versions(row.contact_id),
      this.records.reviews(row.contact_id),
    ]);
    const steps = await this.aid.steps(aid.map((a) => a.id));
    return toRecordView(row, { followUps, aid, steps, versions, reviews });
  }
}

export const recordSubject = (r: RecordRow) => ({
  stationId: r.station_id,
  assignedWorkerId: r.assigned_worker_id,
  authorId: r.author_id,
});
