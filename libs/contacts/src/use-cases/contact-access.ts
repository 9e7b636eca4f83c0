import { Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Tx } from '@kapok/database';
import { OrgAccess } from '@kapok/org';
import { ContactRow } from '../contact.repository';

/** Who is acting on a contact: a gateway by its intake key, or a signed-in person. */
export type ContactActor = { kind: 'intake'; intakeKeyId: string } | { kind: 'user'; user: AuthUser };

/**
 * Scope rules for contacts: a gateway sees the contacts it sent; a person the contacts they were assigned and those
 * of the stations in their OrgScope (the org access policy). Outside that a contact answers 404, as if it did not
 * exist.
 */
@Injectable()
export class ContactAccess {
  constructor(private readonly org: OrgAccess) {}

  /**
   * Inside a transaction pass `tx`: the scope is then read on the transaction's own connection (asking the pool
   * for a second one while holding the first can starve the pool under load).
   */
  async ensureVisible(contact: ContactRow | undefined, actor: ContactActor, tx?: Tx): Promise<ContactRow> {
    if (contact && (await this.visible(contact, actor, tx))) return contact;
    throw new NotFoundException('Contact not found');
  }

  private async visible(contact: ContactRow, actor: ContactActor, tx?: Tx): Promise<boolean> {
    if (actor.kind === 'intake') return contact.intake_key_id === actor.intakeKeyId;
    if (contact.assigned_worker_id === actor.user.id) return true;
    return this.org.containsUnit(await this.org.scopeOf(actor.user, tx), contact.station_id, tx);
  }
}
