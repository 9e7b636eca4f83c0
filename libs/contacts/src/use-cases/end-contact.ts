import { ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import { Db } from '@kapok/database';
import { AgentNotifier } from '@kapok/realtime';
import { canTransition } from '../contact-state-machine';
import { ContactRepository } from '../contact.repository';
import { ContactView, toContactView } from '../contact.views';
import { ContactAccess, ContactActor } from './contact-access';

/** The conversation ended (reported by the gateway or the operator): the operator wraps up. Retries are harmless. */
@Injectable()
export class EndContact {
  constructor(
    private readonly db: Db,
    private readonly contacts: ContactRepository,
    private readonly access: ContactAccess,
    private readonly notifier: AgentNotifier,
  ) {}

  async execute(id: string, actor: ContactActor): Promise<ContactView> {
    const { contact, changed } = await this.db.tx(async (tx) => {
      const current = await this.access.ensureVisible(await this.contacts.lock(id, tx), actor, tx);
      if (actor.kind === 'user' && current.assigned_worker_id !== actor.user.id) {
        throw new ForbiddenException('Only the operator handling this contact can end it');
      }
      if (current.status === 'wrap_up' || current.status === 'completed') return { contact: current, changed: false };
      if (!canTransition('end', current.status)) {
        throw new ConflictException(`Contact is ${current.status}: only an answered contact can end (use abandon)`);
      }
      return { contact: (await this.contacts.transition(tx, id, 'end'))!, changed: true };
    });
    const view = toContactView(contact);
    if (changed && contact.assigned_worker_id)
      this.notifier.contactUpdated(contact.assigned_worker_id, { contact: view });
    return view;
  }
}
