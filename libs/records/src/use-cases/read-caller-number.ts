import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Db } from '@kapok/database';
import { AuditLogRepository } from '../audit-log.repository';
import { CallerNumberStore } from '../caller-number.store';
import { FULL_NUMBER_ROLES, RecordAccess } from '../record-access';
import { RecordRepository } from '../record.repository';

/**
 * The caller's full number, for calling back. Who may read it:
 * - operators: for a contact they handle or handled, whose follow-up is theirs, or whose material aid their
 *   station delivers;
 * - coordinators and supervisors: for contacts in their part of the tree, or whose aid a station in it delivers;
 * - never managers or admins (403).
 * Every read writes an audit row (who, when, which contact, why, from where) before the number is returned.
 */
@Injectable()
export class ReadCallerNumber {
  constructor(
    private readonly db: Db,
    private readonly records: RecordAccess,
    private readonly recordRows: RecordRepository,
    private readonly numbers: CallerNumberStore,
    private readonly audit: AuditLogRepository,
  ) {}

  async execute(contactId: string, user: AuthUser, reason?: string) {
    const contact = await this.recordRows.find(contactId);
    if (!contact) throw new NotFoundException('Contact not found');
    const links = await this.db.one<{ follows_up: boolean; aid_stations: string[] }>(
      `SELECT EXISTS (SELECT 1 FROM follow_ups f
                       WHERE (f.source_contact_id = c.id OR f.id = c.follow_up_id) AND f.worker_id = $2) AS follows_up,
              ARRAY(SELECT a.delivering_station_id FROM aid_requests a
                     WHERE a.contact_id = c.id AND a.status IN ('requested','arranged')) AS aid_stations
         FROM contacts c WHERE c.id = $1`,
      [contactId, user.id],
    );
    const scope = await this.records.scopeOf(user);
    const visible = await this.records.canSee(
      user,
      { stationId: contact.station_id, assignedWorkerId: contact.assigned_worker_id, authorId: contact.author_id },
      scope,
    );
    let delivers = false;
    for (const station of links?.aid_stations ?? []) delivers ||= await this.records.unitInScope(station, scope);
    const handles = contact.assigned_worker_id === user.id || contact.author_id === user.id || !!links?.follows_up;
    if (!visible && !delivers && !handles) throw new NotFoundException('Contact not found');
    if (!FULL_NUMBER_ROLES.includes(user.role)) {
      throw new ForbiddenException(`The full number is readable by ${FULL_NUMBER_ROLES.join(', ')} only`);
    }
    if (user.role === 'operator' && !handles && !delivers) {
      throw new ForbiddenException(
        'Operators read the full number of contacts they handle, follow up or deliver aid for',
      );
    }
    const number = await this.numbers.read(contactId);
    if (number === null) return { contactId, callerNumber: null, callerNumberMasked: contact.caller_number_masked };
    await this.audit.write(undefined, {
      actor: user,
      action: 'caller_number.read',
      subjectType: 'contact',
      subjectId: contactId,
      contactId,
      stationId: contact.station_id,
      detail: { reason: reason ?? null },
    });
    return { contactId, callerNumber: number, callerNumberMasked: contact.caller_number_masked };
  }
}
