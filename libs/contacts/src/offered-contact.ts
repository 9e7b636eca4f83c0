import { Injectable, Logger } from '@nestjs/common';
import { OfferedContactView } from '@kapok/contracts';
import { ContactRow } from './contact.repository';
import { toOfferedContactView } from './contact.views';

/** What another library adds to an offer (a chat's first message, a transfer's note): additive fields only. */
export interface OfferDetails {
  detailsOf(contact: ContactRow): Promise<Partial<OfferedContactView>>;
}

/**
 * The contact as an offer shows it (`contact:offer`, `agent:state`). The conversations library registers what it
 * adds (OfferDetails) when its module starts, so that this library does not depend on it (it depends on this one).
 * Without it, or when it fails, the offer is shown without the extras: an offer never fails for them.
 */
@Injectable()
export class OfferedContact {
  private readonly logger = new Logger(OfferedContact.name);
  private details?: OfferDetails;

  register(details: OfferDetails): void {
    if (this.details && this.details !== details) throw new Error('Offer details are already registered');
    this.details = details;
  }

  async view(contact: ContactRow): Promise<OfferedContactView> {
    const view = toOfferedContactView(contact);
    if (!this.details) return view;
    try {
      return { ...view, ...(await this.details.detailsOf(contact)) };
    } catch (err) {
      this.logger.error(`offer details of contact ${contact.id}: ${(err as Error).message}`);
      return view;
    }
  }
}
