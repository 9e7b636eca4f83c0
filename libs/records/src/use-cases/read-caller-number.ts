import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import type { CallerNumberView } from '@kapok/contracts';
import { ACCEPTED_STATUSES, CallerNumberStore } from '@kapok/contacts';
import { AidRequestRepository } from '../aid-request.repository';
import { AuditLogRepository } from '../audit-log.repository';
import { FollowUpListRepository } from '../follow-up-list.repository';
import { FULL_NUMBER_ROLES, RecordAccess } from '../record-access';
import { RecordRepository } from '../record.repository';

/** The longest reason for reading a full number (it is kept in the audit log). */
export const CALLER_NUMBER_REASON_MAX = 200;

/**
 * The caller's full number, for calling back. Who may read it:
 * - operators: for a contact they accepted (they hold or held it) or recorded, whose follow-up is theirs, or
 *   whose material aid their station delivers; never while it is only offered to them (ringing);
 * - coordinators and supervisors: for contacts in their part of the tree, or whose aid a station in it delivers;
 * - never managers or admins (403).
 * A reason is required (400 without one). Every read writes an audit row (who, when, which contact, the reason,
 * from where) before the number is returned.
 */
@Injectable()
export class ReadCallerNumber {
  constructor(
    private readonly records: RecordAccess,
    private readonly recordRows: RecordRepository,
    private readonly followUps: FollowUpListRepository,
    private readonly aid: AidRequestRepository,
    private readonly numbers: CallerNumberStore,
    private readonly audit: AuditLogRepository,
  ) {}

  async execute(contactId: string, user: AuthUser, reason: string | undefined): Promise<CallerNumberView> {
    const why = reason?.trim();
    if (!why || why.length > CALLER_NUMBER_REASON_MAX || why.includes('\u0000')) {
      throw new BadRequestException([
        `reason is required: why the full number is read (1–${CALLER_NUMBER_REASON_MAX} characters, kept in the audit log)`,
      ]);
    }
    const contact = await this.recordRows.find(contactId);
    if (!contact) throw new NotFoundException('Contact not found');
    const [followsUp, aidStations] = await Promise.all([
      this.followUps.followedUpBy(contactId, user.id),
      this.aid.openDeliveringStations(contactId),
    ]);
    const scope = await this.records.scopeOf(user);
    const visible = await this.records.canSee(
      user,
      { stationId: contact.station_id, assignedWorkerId: contact.assigned_worker_id, authorId: contact.author_id },
      scope,
    );
    let delivers = false;
    for (const station of aidStations) delivers ||= await this.records.unitInScope(station, scope);
    // accepted: they hold or held the conversation; an offered contact is only ringing (perhaps one of another
    // district, by overflow), and its operator may not read the number until they take it
    const accepted = contact.assigned_worker_id === user.id && ACCEPTED_STATUSES.includes(contact.status);
    const handles = accepted || contact.author_id === user.id || followsUp;
    if (!visible && !delivers && !handles) throw new NotFoundException('Contact not found');
    if (!FULL_NUMBER_ROLES.includes(user.role)) {
      throw new ForbiddenException(`The full number is readable by ${FULL_NUMBER_ROLES.join(', ')} only`);
    }
    if (user.role === 'operator' && !handles && !delivers) {
      throw new ForbiddenException(
        contact.assigned_worker_id === user.id
          ? 'The contact is only offered to you: accept it before reading the full number'
          : 'Operators read the full number of contacts they accepted, follow up or deliver aid for',
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
      detail: { reason: why },
    });
    return { contactId, callerNumber: number, callerNumberMasked: contact.caller_number_masked };
  }
}
