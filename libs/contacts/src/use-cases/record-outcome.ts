import { BadRequestException, ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import { RaiseRiskAlert } from '@kapok/alerts';
import { AuthUser } from '@kapok/auth';
import { Clock } from '@kapok/common';
import { RecordOutcomeResult } from '@kapok/contracts';
import { Db } from '@kapok/database';
import { AgentStateRepository } from '@kapok/presence';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier } from '@kapok/realtime';
import { canTransition } from '../contact-state-machine';
import { ContactRepository } from '../contact.repository';
import { toContactView, toOutcomeView } from '../contact.views';
import { OutcomeDto } from '../dto/outcome.dto';
import { FollowUpRepository } from '../follow-up.repository';
import { OutcomeRecorderPort } from '../outcome-recorder';
import { OutcomeRepository } from '../outcome.repository';
import { ContactAccess } from './contact-access';

/**
 * The operator records what was done: the contact is completed and the operator is free for the next one.
 * In the same transaction the record gets its first version, its problems, its material-aid request (for the
 * delivering station) and its audit row (through the OutcomeRecorder port, implemented by @kapok/records), and the
 * outcome of an outbound follow-up contact completes that follow-up.
 */
@Injectable()
export class RecordOutcome {
  constructor(
    private readonly db: Db,
    private readonly contacts: ContactRepository,
    private readonly outcomes: OutcomeRepository,
    private readonly agents: AgentStateRepository,
    private readonly access: ContactAccess,
    private readonly routing: RoutingQueue,
    private readonly notifier: AgentNotifier,
    private readonly followUps: FollowUpRepository,
    private readonly raiseRiskAlert: RaiseRiskAlert,
    private readonly records: OutcomeRecorderPort,
    private readonly clock: Clock,
  ) {}

  async execute(id: string, user: AuthUser, dto: OutcomeDto): Promise<RecordOutcomeResult> {
    // (the one check of the body that needs the time: answered like the validation pipe's 400)
    if (dto.followUp && Date.parse(dto.followUp.dueAt) <= this.clock.now().getTime()) {
      throw new BadRequestException(['followUp.dueAt must be in the future']);
    }
    const { contact, outcome, followUp } = await this.db.tx(async (tx) => {
      const current = await this.access.ensureVisible(await this.contacts.lock(id, tx), { kind: 'user', user }, tx);
      if (current.assigned_worker_id !== user.id) {
        throw new ForbiddenException('Only the operator handling this contact can record its outcome');
      }
      if (current.status === 'completed')
        throw new ConflictException('The outcome of this contact is already recorded');
      if (!canTransition('complete', current.status)) {
        throw new ConflictException(`Contact is ${current.status}: an outcome needs an answered contact`);
      }
      await this.records.prepare(tx, dto, current.station_id); // 400 for an unknown delivering station
      const outcome = await this.outcomes.createOnce(tx, id, user.id, dto);
      if (!outcome) throw new ConflictException('The outcome of this contact is already recorded');
      const completed = await this.contacts.transition(tx, id, 'complete', { expectWorker: user.id });
      if (!completed) throw new ConflictException('The contact changed state; try again');
      await this.records.recorded(tx, {
        contactId: id,
        stationId: completed.station_id,
        outcomeId: outcome.id,
        author: user,
        input: dto,
      });
      await this.agents.markIdle(user.id, tx);
      const followUp = dto.followUp
        ? await this.followUps.schedule(tx, {
            sourceContactId: id,
            workerId: user.id,
            stationId: completed.station_id,
            dueAt: new Date(dto.followUp.dueAt),
            note: dto.followUp.note,
          })
        : undefined;
      // the outcome of a follow-up contact completes that follow-up (whether or not it promises another)
      if (current.follow_up_id) await this.followUps.transition(tx, current.follow_up_id, 'complete');
      return { contact: completed, outcome, followUp };
    });
    const view = toContactView(contact, outcome);
    this.notifier.contactUpdated(user.id, { contact: view });
    if (followUp) await this.routing.scheduleFollowUp(followUp.id, followUp.due_at);
    if (dto.psychological?.riskAssessment === 'imminent') await this.raiseRiskAlert.execute(id, 'imminent_assessment');
    await this.routing.routeOperator(user.id);
    return {
      contactId: contact.id,
      status: contact.status,
      completedAt: view.completedAt,
      outcome: toOutcomeView(outcome),
    };
  }
}
