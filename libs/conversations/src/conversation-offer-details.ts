import { Injectable, OnModuleInit } from '@nestjs/common';
import type { OfferedContactView } from '@kapok/contracts';
import { ContactRow, OfferDetails, OfferedContact } from '@kapok/contacts';
import { ConversationRepository } from './conversation.repository';
import { ConversationViews } from './conversation.views';
import { MessageRepository } from './message.repository';
import { MessageTextCipher } from './message-text-cipher';
import { TransferRepository } from './transfer.repository';
import { transferView } from './use-cases/read-transcript';

/**
 * What an offer shows besides the contact (OfferedContact): a text contact's first message from the caller, and the
 * last transfer with its note (any contact). Registered with the contacts library when this module starts.
 */
@Injectable()
export class ConversationOfferDetails implements OfferDetails, OnModuleInit {
  constructor(
    private readonly offered: OfferedContact,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly transfers: TransferRepository,
    private readonly views: ConversationViews,
    private readonly cipher: MessageTextCipher,
  ) {}

  onModuleInit(): void {
    this.offered.register(this);
  }

  async detailsOf(contact: ContactRow): Promise<Partial<OfferedContactView>> {
    const details: Partial<OfferedContactView> = {};
    if (contact.channel !== 'phone') {
      const c = await this.conversations.findByContact(contact.id);
      const first = c && (await this.messages.firstFromCaller(c.id));
      details.firstMessage = first
        ? { text: this.views.message(first).text, at: first.created_at.toISOString() }
        : null;
    }
    if (contact.offer_count > 1) {
      const all = await this.transfers.forContact(contact.id);
      const last = all[all.length - 1];
      if (last) details.transfer = transferView(last, this.cipher);
    }
    return details;
  }
}
