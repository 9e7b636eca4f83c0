import { Injectable } from '@nestjs/common';
import { AppConfig } from '@kapok/config';
import { ContactRepository, FollowUpRepository } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { RoutingQueue } from '@kapok/queue';

/**
 * A promised callback is due: it becomes an outbound contact on the same line, reserved first for the operator who
 * recorded it (continuity window), then routed as usual from their station. Idempotent: the follow-up's
 * `createContact` transition (scheduled → contact_created, only once due) is a conditional update in the same
 * transaction as the insert, so a repeated or early job creates nothing.
 */
@Injectable()
export class FollowUpDue {
  constructor(
    private readonly db: Db,
    private readonly followUps: FollowUpRepository,
    private readonly contacts: ContactRepository,
    private readonly routing: RoutingQueue,
    private readonly config: AppConfig,
  ) {}

  async execute(followUpId: string): Promise<string | undefined> {
    const contactId = await this.db.tx(async (tx) => {
      const due = await this.followUps.transition(tx, followUpId, 'createContact');
      if (!due) return undefined;
      const created = await this.contacts.createForFollowUp(tx, due.id, this.config.get('CONTINUITY_WINDOW_SECONDS'));
      await this.followUps.linkContact(tx, due.id, created);
      return created;
    });
    if (contactId) await this.routing.routeContact(contactId);
    return contactId;
  }
}
