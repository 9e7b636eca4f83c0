import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { OrgModule } from '@kapok/org';
import { AidRequestRepository } from './aid-request.repository';
import { AuditLogRepository } from './audit-log.repository';
import { CallerNumberCipher } from './caller-number-cipher';
import { CallerNumberStore } from './caller-number.store';
import { FollowUpListRepository } from './follow-up-list.repository';
import { RecordAccess } from './record-access';
import { RecordKeeper } from './record-keeper';
import { RecordRepository } from './record.repository';
import { RequestContextMiddleware } from './request-context';
import { ChangeAidRequest, GetAidRequest, ListAidRequests } from './use-cases/aid-requests';
import { AmendRecord } from './use-cases/amend-record';
import { CallerHistory } from './use-cases/caller-history';
import { AidOverdueSweeper, FlagOverdueAid } from './use-cases/flag-overdue-aid';
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
  CallerNumberStore,
  CallerNumberCipher,
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
 * Service records: versions, reviews, material aid to delivery, follow-up lists, caller history, the caller's
 * number encrypted at rest, and the audit log. Depends on nothing in @kapok/contacts (which uses RecordKeeper and
 * CallerNumberStore from here when it records an outcome or takes in a contact).
 */
@Module({
  imports: [OrgModule],
  providers: [...repositories, ...useCases, AidOverdueSweeper],
  exports: [...repositories, ...useCases],
})
export class RecordsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
