import { ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import { RaiseRiskAlert } from '@kapok/alerts';
import { Clock } from '@kapok/common';
import { AuthUser } from '@kapok/auth';
import { AppConfig } from '@kapok/config';
import { TargetGroup } from '@kapok/contracts';
import { OutcomeRepository } from '@kapok/contacts';
import { Db, Tx } from '@kapok/database';
import { OrgRepository } from '@kapok/org';
import { AidRequestRepository } from '../aid-request.repository';
import { canChangeAidItems } from '../aid-state-machine';
import { AuditLogRepository } from '../audit-log.repository';
import { RecordAccess } from '../record-access';
import { checkDeliveringPlace } from '../record-keeper';
import { RecordRepository, RecordRow } from '../record.repository';
import {
  AUTHOR_AMEND_WINDOW_HOURS,
  AmendableInput,
  RecordContent,
  changedFields,
  contentOf,
  stableJson,
} from '../record.types';
import { RecordView } from '../records.views';
import { GetRecord } from './get-record';

export interface Amendment extends AmendableInput {
  /** Why the record is changed (kept with the version). */
  reason?: string;
  /** The version the change is based on: 409 when the record has moved on since. */
  expectedVersion?: number;
}

/**
 * Corrections. The author may amend their completed record within 24 hours of recording it, a supervisor (in
 * whose part of the tree it is) at any time. The outcome row is updated in place (it is the current version, which
 * statistics count); the new content is also kept as a version with who, when, why and which fields changed.
 * A material-aid request still only `requested` follows the amended items; one already arranged or delivered
 * cannot be changed this way (409).
 */
@Injectable()
export class AmendRecord {
  constructor(
    private readonly db: Db,
    private readonly records: RecordRepository,
    private readonly outcomes: OutcomeRepository,
    private readonly access: RecordAccess,
    private readonly aid: AidRequestRepository,
    private readonly audit: AuditLogRepository,
    private readonly getRecord: GetRecord,
    private readonly config: AppConfig,
    private readonly raiseRiskAlert: RaiseRiskAlert,
    private readonly org: OrgRepository,
    private readonly clock: Clock,
  ) {}

  async execute(contactId: string, user: AuthUser, input: Amendment): Promise<RecordView> {
    const scope = await this.access.scopeOf(user);
    const { row, before, after } = await this.db.tx(async (tx) => {
      const current = await this.getRecord.lockVisible(contactId, user, scope, tx);
      if (!current.outcome_id) {
        throw new ConflictException(`Contact is ${current.status}: there is no record to amend yet`);
      }
      const isAuthor = current.author_id === user.id;
      const isSupervisor = user.role === 'supervisor';
      if (!isAuthor && !isSupervisor) {
        throw new ForbiddenException('Only the author of a record or a supervisor can amend it');
      }
      if (!isSupervisor && new Date(current.amendable_until!).getTime() <= this.clock.now().getTime()) {
        throw new ForbiddenException(
          `The author can amend a record within ${AUTHOR_AMEND_WINDOW_HOURS} hours of recording it; ask a supervisor`,
        );
      }
      if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
        throw new ConflictException(`The record is at version ${current.version}, not ${input.expectedVersion}`);
      }
      await checkDeliveringPlace(this.org, tx, input);
      const before = contentOfRow(current);
      // follow-ups are not part of an amendment (they have their own endpoints): the record keeps its own
      const amended = contentOf({ ...input, followUp: before.followUp });
      if (amended.materialAid) {
        const was = before.materialAid;
        amended.materialAid.deliveringStationId ??= was?.deliveringStationId ?? current.station_id;
        // the 村(居) point left out: kept while the station stays the same; null: none
        if (
          amended.materialAid.deliveringPointId === undefined &&
          was?.deliveringPointId &&
          was.deliveringStationId === amended.materialAid.deliveringStationId
        ) {
          amended.materialAid.deliveringPointId = was.deliveringPointId;
        }
        if (amended.materialAid.deliveringPointId == null) delete amended.materialAid.deliveringPointId;
      }
      const changed = changedFields(before, amended);
      if (!changed.length) return { row: current, before, after: before };
      if (changed.includes('materialAid')) await this.followAid(tx, current, amended, user);
      const done = await this.outcomes.amend(tx, current.outcome_id, current.version!, amended, user.id);
      if (!done) throw new ConflictException('The record changed meanwhile; reload it and try again');
      await this.records.addVersion(tx, {
        contactId,
        outcomeId: current.outcome_id,
        version: done.version,
        authorId: user.id,
        reason: input.reason ?? null,
        changed,
        content: amended,
      });
      if (changed.includes('problems')) await this.records.replaceProblems(tx, contactId, amended.problems);
      await this.audit.write(tx, {
        actor: user,
        action: 'record.amend',
        subjectType: 'record',
        subjectId: contactId,
        contactId,
        stationId: current.station_id,
        detail: { fromVersion: current.version, version: done.version, changed, reason: input.reason ?? null },
      });
      return { row: (await this.records.find(contactId, tx))!, before, after: amended };
    });
    if (after.psychological?.riskAssessment === 'imminent' && before.psychological?.riskAssessment !== 'imminent') {
      await this.raiseRiskAlert.execute(row.contact_id, 'imminent_assessment');
    }
    return this.getRecord.view(row);
  }

  /** Keeps the material-aid request in step with the amended record. */
  private async followAid(tx: Tx, current: RecordRow, after: RecordContent, user: AuthUser) {
    const hours = this.config.get('AID_OVERDUE_HOURS');
    const request = await this.aid.lockLatestForContact(current.contact_id, hours, tx);
    const live = request && request.status !== 'cancelled' ? request : undefined;
    if (live && !canChangeAidItems(live.status)) {
      throw new ConflictException(
        `The material-aid request is already ${live.status}: its items can no longer change (cancel it, or amend other fields)`,
      );
    }
    if (!after.materialAid) {
      if (live) await this.aid.transition(tx, live.id, 'cancel', user.id, 'removed from the record by an amendment');
      return;
    }
    const target = after.materialAid.deliveringStationId ?? current.station_id;
    const point = after.materialAid.deliveringPointId ?? null;
    if (live) {
      const same =
        stableJson(live.items) === stableJson(after.materialAid.items) &&
        live.delivering_station_id === target &&
        live.delivering_point_id === point;
      if (
        !same &&
        !(await this.aid.replaceItems(tx, live.id, {
          items: after.materialAid.items,
          deliveringStationId: target,
          deliveringPointId: point,
          actorId: user.id,
          note: 'items changed by an amendment of the record',
        }))
      ) {
        throw new ConflictException('The material-aid request changed meanwhile; reload the record and try again');
      }
      return;
    }
    await this.aid.create(tx, {
      contactId: current.contact_id,
      originStationId: current.station_id,
      deliveringStationId: target,
      deliveringPointId: point,
      items: after.materialAid.items,
      requestedBy: user.id,
    });
  }
}

export function contentOfRow(r: RecordRow): RecordContent {
  return {
    serviceTypes: r.service_types ?? [],
    // read only for a record that has an outcome, whose target group is always set
    targetGroup: r.target_group ?? ('' as TargetGroup),
    summary: r.summary ?? '',
    psychological: r.psychological ?? null,
    materialAid: r.material_aid ?? null,
    problems: r.problems ?? [],
    followUp: r.follow_up ?? null,
  };
}
