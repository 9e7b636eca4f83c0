import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AlertsModule } from '@kapok/alerts';
import { ContactsModule } from '@kapok/contacts';
import { OrgModule } from '@kapok/org';
import { AidRequestRepository } from './aid-request.repository';
import { AuditLogRepository } from './audit-log.repository';
import { FollowUpListRepository } from './follow-up-list.repository';
import { RecordAccess } from './record-access';
import { RecordKeeper } from './record-keeper';
import { RecordRepository } from './record.repository';
import { RequestContextMiddleware } from './request-context';
import { ChangeAidRequest, GetAidRequest, ListAidRequests } from './use-cases/aid-requests';
import { AmendRecord } from './use-cases/amend-record';
import { CallerHistory } from './use-cases/caller-history';
import { FlagOverdueAid } from './use-cases/flag-overdue-aid';
import { CompleteFollowUp, ListFollowUps } from './use-cases/follow-ups';
import { GetRecord } from './use-cases/get-record';
import { ListRecords } from './use-cases/list-records';
import { ReadAuditLog } from './use-cases/read-audit-log';
import { ReadCallerNumber } from './use-cases/read-caller-number';
import { ReviewRecord } from './use-cases/review-record';

const repositories = [
  RecordRepository,
  AidRequestRepository,
  FollowUpListRepository,
  AuditLogRepository,
  RecordAccess,
  RecordKeeper,
];
const useCases = [
  ListRecords,
  GetRecord,
  AmendRecord,
  ReviewRecord,
  CallerHistory,
  ReadCallerNumber,
  ListAidRequests,
  GetAidRequest,
  ChangeAidRequest,
  ListFollowUps,
  CompleteFollowUp,
  ReadAuditLog,
  FlagOverdueAid,
];

/**
 * Service records: versions, reviews, material aid to delivery, follow-up lists, caller history, who may read the
 * caller's full number, and the audit log. Depends on @kapok/contacts (never the other way round): outcomes,
 * follow-ups and the caller's encrypted number are written there (OutcomeRepository, FollowUpRepository,
 * CallerNumberStore); RecordKeeper registers itself as contacts' OutcomeRecorder, so that recording an outcome
 * writes the record in the same transaction.
 */
@Module({
  imports: [OrgModule, ContactsModule, AlertsModule],
  providers: [...repositories, ...useCases],
  exports: [...repositories, ...useCases],
})
export class RecordsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
