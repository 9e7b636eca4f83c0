import { BadRequestException, Injectable, OnModuleInit } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { OutcomeRecorder, OutcomeRecorderPort } from '@kapok/contacts';
import { Tx } from '@kapok/database';
import { OrgRepository } from '@kapok/org';
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
    private readonly org: OrgRepository,
  ) {}

  onModuleInit(): void {
    this.port.register(this);
  }

  /**
   * Checks what only the database can tell (the delivering station exists and is a station, the 村(居) point an open
   * point of it: 400 naming the field otherwise) and fills in the delivering station: the point's, or by default the
   * line's. Call before writing anything.
   */
  async prepare(tx: Tx, input: OutcomeInput, lineStationId: string): Promise<void> {
    await checkDeliveringPlace(this.org, tx, input);
    if (input.materialAid) {
      input.materialAid.deliveringStationId ??= lineStationId;
      if (input.materialAid.deliveringPointId === null) delete input.materialAid.deliveringPointId;
    }
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
          deliveringPointId: content.materialAid.deliveringPointId ?? null,
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

/**
 * Where material aid is delivered from, as the input names it: `deliveringStationId`, when given, must be a station;
 * `deliveringPointId`, when given, an open 村(居) point of that station (400 naming the field otherwise). A point
 * given without a station makes its station the delivering station (filled in here).
 */
export async function checkDeliveringPlace(
  org: OrgRepository,
  tx: Tx,
  input: Pick<OutcomeInput, 'materialAid'>,
): Promise<void> {
  const aid = input.materialAid;
  const station = aid?.deliveringStationId;
  if (station && (await org.findUnit(station, tx))?.level !== 'station') {
    throw new BadRequestException(['materialAid.deliveringStationId must be the id of a station (镇街社工站)']);
  }
  const pointId = aid?.deliveringPointId;
  if (!aid || !pointId) return;
  // (a point's parent is always a station: the tree's levels are kept by OrgUnits)
  const point = await org.findUnit(pointId, tx);
  if (!point || point.level !== 'point' || !point.parentId) {
    throw new BadRequestException(['materialAid.deliveringPointId must be the id of a 村(居) point (村(居)社工点)']);
  }
  if (point.closedAt) {
    throw new BadRequestException([
      'materialAid.deliveringPointId: this 村(居) point is closed and delivers nothing (该村(居)社工点已关闭)',
    ]);
  }
  if (station && point.parentId !== station) {
    throw new BadRequestException([
      'materialAid.deliveringPointId must be a 村(居) point of the delivering station materialAid.deliveringStationId ' +
        '(须为送达站点下属的村(居)社工点)',
    ]);
  }
  aid.deliveringStationId ??= point.parentId;
}
