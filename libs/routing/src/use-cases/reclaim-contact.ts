import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { ContactAccess, ContactRepository, ContactView, canTransition, toContactView } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { AgentStateRepository } from '@kapok/presence';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier } from '@kapok/realtime';
import { AuditLogRepository } from '@kapok/records';

/**
 * A coordinator lets go of an active contact whose operator's console is lost (`POST /api/contacts/:id/reclaim`):
 * it goes back in line, keeping its place, for another operator. This is how a phone contact leaves an operator
 * who is not coming back (AgentSession.expireGrace never takes one); the coordinator, who can reach the operator
 * and the telephony side, decides. The contact must be in their part of the tree (OrgScope, through ContactAccess)
 * and its operator must have no socket connected: one who is connected is asked, not overruled. Audited
 * (`contact.reclaim`: who let go of which contact from which operator), in the same transaction.
 */
@Injectable()
export class ReclaimContact {
  private readonly logger = new Logger(ReclaimContact.name);

  constructor(
    private readonly db: Db,
    private readonly contacts: ContactRepository,
    private readonly agents: AgentStateRepository,
    private readonly access: ContactAccess,
    private readonly routing: RoutingQueue,
    private readonly notifier: AgentNotifier,
    private readonly audit: AuditLogRepository,
  ) {}

  async execute(id: string, user: AuthUser): Promise<ContactView> {
    const { contact, from } = await this.db.tx(async (tx) => {
      const current = await this.access.ensureVisible(await this.contacts.lock(id, tx), { kind: 'user', user }, tx);
      const from = current.assigned_worker_id;
      if (!canTransition('reclaim', current.status) || !from) {
        throw new ConflictException(`Contact is ${current.status}: only an active contact can be let go`);
      }
      if ((await this.agents.get(from, tx))?.connected) {
        throw new ConflictException('The operator handling this contact is connected: ask them to end it');
      }
      const reclaimed = await this.contacts.transition(tx, id, 'reclaim', { expectWorker: from });
      if (!reclaimed) throw new ConflictException('The contact changed state; try again');
      await this.audit.write(tx, {
        actor: user,
        action: 'contact.reclaim',
        subjectType: 'contact',
        subjectId: id,
        contactId: id,
        stationId: current.station_id,
        detail: { fromWorkerId: from },
      });
      return { contact: reclaimed, from };
    });
    this.logger.warn(`${user.username} let go of contact ${id} from operator ${from} (console lost)`);
    const view = toContactView(contact);
    // (at most once, like every event: their console, should it come back, also reads it in agent:state)
    this.notifier.contactUpdated(from, { contact: view });
    await this.routing.routeContact(id);
    return view;
  }
}
