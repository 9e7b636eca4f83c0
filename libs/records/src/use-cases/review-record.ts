import { ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { OutcomeRepository } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { AuditLogRepository } from '../audit-log.repository';
import { RecordAccess } from '../record-access';
import { RecordRepository } from '../record.repository';
import { RecordView } from '../records.views';
import { GetRecord } from './get-record';

/**
 * A supervisor marks a record reviewed, with a comment if they have one. A review is of one version: after an amendment the
 * record is unreviewed again until it is looked at anew. Reviewing a version twice is 409.
 * Four eyes: nobody reviews their own work. A supervisor who recorded the record, or wrote one of its versions
 * since its last review (an amendment of theirs), may not review it (403): another supervisor does.
 */
@Injectable()
export class ReviewRecord {
  constructor(
    private readonly db: Db,
    private readonly records: RecordRepository,
    private readonly outcomes: OutcomeRepository,
    private readonly access: RecordAccess,
    private readonly audit: AuditLogRepository,
    private readonly getRecord: GetRecord,
  ) {}

  async execute(
    contactId: string,
    user: AuthUser,
    input: { comment?: string; expectedVersion?: number },
  ): Promise<RecordView> {
    const scope = await this.access.scopeOf(user);
    const row = await this.db.tx(async (tx) => {
      const current = await this.getRecord.lockVisible(contactId, user, scope, tx);
      this.access.requireRole(user, ['supervisor'], 'Reviewing a record');
      if (!current.outcome_id)
        throw new ConflictException(`Contact is ${current.status}: there is no record to review`);
      if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
        throw new ConflictException(`The record is at version ${current.version}, not ${input.expectedVersion}`);
      }
      if (current.author_id === user.id) {
        throw new ForbiddenException('You recorded this record: another supervisor must review it');
      }
      const mine = await this.records.versionsWrittenBy(tx, contactId, user.id, current.reviewed_version ?? 0);
      if (mine.length) {
        throw new ForbiddenException(
          `You wrote version ${mine.join(', ')} of this record since its last review: another supervisor must review it`,
        );
      }
      if (!(await this.outcomes.markReviewed(tx, current.outcome_id, current.version!, user.id))) {
        throw new ConflictException(`Version ${current.version} of this record is already reviewed`);
      }
      await this.records.addReview(tx, {
        contactId,
        version: current.version!,
        reviewerId: user.id,
        comment: input.comment ?? null,
      });
      await this.audit.write(tx, {
        actor: user,
        action: 'record.review',
        subjectType: 'record',
        subjectId: contactId,
        contactId,
        stationId: current.station_id,
        detail: { version: current.version },
      });
      return (await this.records.find(contactId, tx))!;
    });
    return this.getRecord.view(row);
  }
}
