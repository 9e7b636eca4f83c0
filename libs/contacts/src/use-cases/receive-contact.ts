import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { createHmac, randomUUID } from 'node:crypto';
import { maskPhoneNumber } from '@kapok/common';
import { RaiseRiskAlert } from '@kapok/alerts';
import { AppConfig } from '@kapok/config';
import { isDatabaseUnavailable } from '@kapok/database';
import { Metrics } from '@kapok/metrics';
import { OrgRepository } from '@kapok/org';
import { RoutingQueue } from '@kapok/queue';
import { CallerNumberStore } from '../caller-number.store';
import { PRIORITY } from '../contact-state-machine';
import { ContactRepository } from '../contact.repository';
import { ContactView, toContactView } from '../contact.views';
import { CreateContactDto } from '../dto/create-contact.dto';

/**
 * Intake: a gateway reports a contact. It is written to Postgres first, in one statement (idempotent by the gateway's
 * externalId), then the router is triggered. A repeat caller is reserved briefly for the operator who handled them last; a
 * critical contact alerts the station's supervisors at once. If Redis is down the trigger fails, the contact is still there, and the
 * reconciler routes it: nothing acknowledged is lost.
 */
@Injectable()
export class ReceiveContact {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly org: OrgRepository,
    private readonly routing: RoutingQueue,
    private readonly config: AppConfig,
    private readonly raiseRiskAlert: RaiseRiskAlert,
    private readonly callerNumbers: CallerNumberStore,
    private readonly metrics: Metrics,
  ) {}

  /**
   * With the gateway's externalId the whole intake is idempotent, so a connection the database dropped in the middle
   * (a restart, a failover) is tried again here once the database answers, instead of answering 503.
   * `lines`: the lines the intake key may take intake for (null or absent: every line).
   */
  async execute(
    intakeKeyId: string,
    dto: CreateContactDto,
    lines?: readonly string[] | null,
  ): Promise<{ contact: ContactView; created: boolean }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.receive(intakeKeyId, dto, lines ?? null);
      } catch (err) {
        if (!dto.externalId || attempt >= 2 || !isDatabaseUnavailable(err)) throw err;
      }
    }
  }

  private async receive(
    intakeKeyId: string,
    dto: CreateContactDto,
    lines: readonly string[] | null,
  ): Promise<{ contact: ContactView; created: boolean }> {
    const hotline = await this.org.findHotlineByNumber(dto.hotlineNumber);
    if (!hotline) throw new NotFoundException(`Unknown hotlineNumber "${dto.hotlineNumber}"`);
    if (lines && !lines.includes(hotline.id)) {
      throw new ForbiddenException(`hotlineNumber: this intake key may not take intake for line ${hotline.number}`);
    }
    // A suspended line takes nothing (the gateway can tell callers or route elsewhere): 409, said in the message.
    if (hotline.suspendedAt) {
      throw new ConflictException(
        `hotlineNumber: line ${hotline.number} is suspended; it takes no intake until resumed`,
      );
    }
    const riskLevel = dto.riskLevel ?? 'normal';
    // one statement: the row, its number (kept only encrypted, for the id made here) and a repeat caller's reservation
    const id = randomUUID();
    const { contact, created } = await this.contacts.createOnce({
      id,
      hotlineId: hotline.id,
      stationId: hotline.stationId,
      intakeKeyId,
      externalId: dto.externalId ?? null,
      channel: dto.channel,
      callerNumberMasked: maskPhoneNumber(dto.callerNumber),
      callerNumberHash: dto.callerNumber ? this.callerHash(dto.callerNumber) : null,
      callerNumberEnc: dto.callerNumber ? this.callerNumbers.encrypt(id, dto.callerNumber) : null,
      language: dto.language ?? null,
      topics: dto.topics ?? [],
      riskLevel,
      priority: PRIORITY[riskLevel],
      continuity: {
        days: this.config.get('CONTINUITY_DAYS'),
        windowSeconds: this.config.get('CONTINUITY_WINDOW_SECONDS'),
      },
    });
    if (created) this.metrics.contactReceived(contact.channel);
    if (contact.status === 'queued') await this.routing.routeContact(contact.id);
    // (raised once per contact: a retried intake raises it if the first attempt stopped before this)
    if (riskLevel === 'critical') await this.raiseRiskAlert.execute(contact.id, 'critical_contact');
    return { contact: toContactView(contact), created };
  }

  /** Keyed hash of the normalised number: recognises a repeat caller without storing the number. */
  private callerHash(number: string): string {
    const digits = number.replace(/[^0-9]/g, '');
    return createHmac('sha256', this.config.get('CALLER_NUMBER_KEY')).update(digits).digest('hex');
  }
}
