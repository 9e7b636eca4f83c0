import { BadRequestException, Injectable, OnModuleInit } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { OutcomeRecorder, OutcomeRecorderPort } from '@kapok/contacts';
import { Tx } from '@kapok/database';
import { AidRequestRepository } from './aid-request.repository';
import { AuditLogRepository } from './audit-log.repository';
import { RecordRepository } from './record.repository';
import { OutcomeInput, RECORD_FIELDS, contentOf } from './record.types';

/**
 * What recording an outcome writes besides the outcome row, in the same transaction: the record's first version,
 * its problems, the material-aid request for the delivering station, and the audit row. @kapok/contacts'
 * RecordOutcome calls it through its OutcomeRecorder port, where this registers itself when the module starts.
 */
@Injectable()
export class RecordKeeper implements OutcomeRecorder, OnModuleInit {
  constructor(
    private readonly records: RecordRepository,
    private readonly aid: AidRequestRepository,
    private readonly audit: AuditLogRepository,
    private readonly port: OutcomeRecorderPort,
  ) {}

  onModuleInit(): void {
    this.port.register(this);
  }

  /**
   * Checks what only the database can tell (the delivering station exists and is a station: 400 naming the field
   * otherwise) and fills in the default delivering station, the line's. Call before writing anything.
   */
  async prepare(tx: Tx, input: OutcomeInput, lineStationId: string): Promise<void> {
    await checkDeliveringStation(this.records, tx, input);
    if (input.materialAid) input.materialAid.deliveringStationId ??= lineStationId;
  }

  async recorded(
    tx: Tx,
    r: { contactId: string; stationId: string; outcomeId: string; author: AuthUser; input: OutcomeInput },
  ): Promise<{ aidRequestId: string | null }> {
    const content = contentOf(r.input);
    await this.records.addVersion(tx, {
      contactId: r.contactId,
      outcomeId: r.outcomeId,
      version: 1,
      authorId: r.author.id,
      reason: null,
      changed: [...RECORD_FIELDS],
      content,
    });
    await this.records.replaceProblems(tx, r.contactId, content.problems);
    const aidRequestId = content.materialAid
      ? await this.aid.create(tx, {
          contactId: r.contactId,
          originStationId: r.stationId,
          deliveringStationId: content.materialAid.deliveringStationId ?? r.stationId,
          items: content.materialAid.items,
          requestedBy: r.author.id,
        })
      : null;
    await this.audit.write(tx, {
      actor: r.author,
      action: 'record.create',
      subjectType: 'record',
      subjectId: r.contactId,
      contactId: r.contactId,
      stationId: r.stationId,
      detail: {
        version: 1,
        serviceTypes: content.serviceTypes,
        riskAssessment: content.psychological?.riskAssessment ?? null,
        aidRequestId,
        followUp: content.followUp !== null,
      },
    });
    return { aidRequestId };
  }
}

export async function checkDeliveringStation(
  records: RecordRepository,
  tx: Tx,
  input: Pick<OutcomeInput, 'materialAid'>,
): Promise<void> {
  const station = input.materialAid?.deliveringStationId;
  if (station && !(await records.isStation(station, tx))) {
    throw new BadRequestException(['materialAid.deliveringStationId must be the id of a station (镇街社工站)']);
  }
}
