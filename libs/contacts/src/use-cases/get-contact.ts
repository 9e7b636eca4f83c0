import { Injectable } from '@nestjs/common';
import { ContactRepository } from '../contact.repository';
import { ContactView, toContactView } from '../contact.views';
import { OutcomeRepository } from '../outcome.repository';
import { ContactAccess, ContactActor } from './contact-access';

@Injectable()
export class GetContact {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly outcomes: OutcomeRepository,
    private readonly access: ContactAccess,
  ) {}

  async execute(id: string, actor: ContactActor): Promise<ContactView> {
    const contact = await this.access.ensureVisible(await this.contacts.find(id), actor);
    const outcome = contact.status === 'completed' ? await this.outcomes.findForContact(id) : undefined;
    return toContactView(contact, outcome);
  }
}
