import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { AppConfig } from '@kapok/config';
import { Page } from '@kapok/contracts';
import { AidRequestRepository } from '../aid-request.repository';
import { FollowUpListRepository } from '../follow-up-list.repository';
import { RecordAccess } from '../record-access';
import { RecordFilter, RecordRepository } from '../record.repository';
import { RecordListItem, toRecordListItem } from '../records.views';

export type { Page } from '@kapok/contracts';

/**
 * Finding records: filters, sort, pagination with the total. Only records the reader may see are ever counted
 * or returned (the scope is part of the query, not a filter applied afterwards).
 */
@Injectable()
export class ListRecords {
  constructor(
    private readonly records: RecordRepository,
    private readonly access: RecordAccess,
    private readonly aid: AidRequestRepository,
    private readonly followUps: FollowUpListRepository,
    private readonly config: AppConfig,
  ) {}

  async execute(user: AuthUser, filter: RecordFilter): Promise<Page<RecordListItem>> {
    const scope = await this.access.scopeOf(user);
    const { rows, total } = await this.records.list(user, scope, filter);
    const ids = rows.map((r) => r.contact_id);
    const [followUps, aid] = await Promise.all([
      this.followUps.forContacts(ids),
      this.aid.forContacts(ids, this.config.get('AID_OVERDUE_HOURS')),
    ]);
    return {
      items: rows.map((r) => toRecordListItem(r, followUps, aid)),
      total,
      page: filter.page,
      pageSize: filter.pageSize,
    };
  }

  /** For supervisors: unreviewed records, high-risk ones first, then the oldest. */
  async reviewQueue(user: AuthUser, page: number, pageSize: number): Promise<Page<RecordListItem>> {
    return this.execute(user, { reviewed: false, status: ['completed'], sort: 'risk', page, pageSize });
  }
}
