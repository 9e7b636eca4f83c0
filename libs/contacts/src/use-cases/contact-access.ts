import { Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { OrgRepository } from '@kapok/org';
import { ContactRow } from '../contact.repository';

/** Who is acting on a contact: a gateway by its intake key, or a signed-in person. */
export type ContactActor = { kind: 'intake'; intakeKeyId: string } | { kind: 'user'; user: AuthUser };

/** Scope rules for contacts: outside your part of the tree a contact answers 404, as if it did not exist. */
@Injectable()
export class ContactAccess {
  constructor(private readonly org: OrgRepository) {}

  async ensureVisible(contact: ContactRow | undefined, actor: ContactActor): Promise<ContactRow> {
    if (contact && (await this.visible(contact, actor))) return contact;
    throw new NotFoundException('Contact not found');
  }

  private async visible(contact: ContactRow, actor: ContactActor): Promise<boolean> {
    if (actor.kind === 'intake') return contact.intake_key_id === actor.intakeKeyId;
    if (actor.user.role === 'admin') return true;
    if (contact.assigned_worker_id === actor.user.id) return true;
    return this.org.isUnitInScope(contact.station_id, await this.org.scopeOf(actor.user));
  }
}
