import { BadRequestException, ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ContactView, TransferTarget } from '@kapok/contracts';
import { TRANSFER_NOTE_MAX_CHARS } from '@kapok/contracts';
import { AuthUser, UserRepository } from '@kapok/auth';
import { ContactAccess, ContactRepository, toContactView } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { OrgRepository } from '@kapok/org';
import { AgentStateRepository } from '@kapok/presence';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier } from '@kapok/realtime';
import { ConversationLog } from '../conversation-log';
import { ConversationDelivery } from '../conversation-delivery';
import { ConversationRepository } from '../conversation.repository';
import { UUID } from '../conversation.views';
import { MessageTextCipher } from '../message-text-cipher';
import { TransferRepository } from '../transfer.repository';

/** What the caller reads when their conversation is transferred (a system message). */
export const TRANSFER_NOTICE = '正在为您转接其他社工，请稍候，对话记录会一并转交。';

/**
 * The operator holding a contact (phone or text) transfers it (`POST /api/contacts/:id/transfer`): to another
 * operator, to a unit's pool (a station, a district …) or to the supervisors of its station. In one transaction the
 * contact goes back to `queued` by the `transfer` transition (its queued_at unchanged: it keeps its place), for
 * that target only until someone accepts it, and the transfer is written with its note (encrypted). The receiving
 * side sees the note in the offer (`contact.transfer`) and, for a text contact, the whole conversation
 * (`history:get`); the caller reads a system message. Then the contact is routed.
 */
@Injectable()
export class TransferContact {
  constructor(
    private readonly db: Db,
    private readonly contacts: ContactRepository,
    private readonly access: ContactAccess,
    private readonly users: UserRepository,
    private readonly org: OrgRepository,
    private readonly agents: AgentStateRepository,
    private readonly transfers: TransferRepository,
    private readonly conversations: ConversationRepository,
    private readonly log: ConversationLog,
    private readonly delivery: ConversationDelivery,
    private readonly cipher: MessageTextCipher,
    private readonly routing: RoutingQueue,
    private readonly notifier: AgentNotifier,
  ) {}

  async execute(id: string, user: AuthUser, body: unknown): Promise<ContactView> {
    const { target, note } = parseBody(body);
    await this.checkTarget(target);
    const conversation = await this.conversations.findByContact(id);
    const result = await this.db.tx(async (tx) => {
      const contact = await this.access.ensureVisible(await this.contacts.lock(id, tx), { kind: 'user', user }, tx);
      if (contact.assigned_worker_id !== user.id) {
        throw new ForbiddenException('Only the operator handling this contact can transfer it');
      }
      if (contact.status !== 'active') {
        throw new ConflictException(`Contact is ${contact.status}: only an active contact can be transferred`);
      }
      if ('userId' in target && target.userId === user.id) {
        throw new BadRequestException(['to.userId: 不能转接给自己 (a contact cannot be transferred to yourself)']);
      }
      const transferId = randomUUID();
      const moved = await this.contacts.transition(tx, id, 'transfer', {
        expectWorker: user.id,
        worker: 'userId' in target ? target.userId : undefined,
        values: ['orgUnitId' in target ? target.orgUnitId : null, 'supervisor' in target],
      });
      if (!moved) throw new ConflictException('The contact changed state; try again');
      await this.transfers.insert(tx, {
        id: transferId,
        contact_id: id,
        from_user_id: user.id,
        to_user_id: 'userId' in target ? target.userId : null,
        to_unit_id: 'orgUnitId' in target ? target.orgUnitId : null,
        to_supervisor: 'supervisor' in target,
        note_enc: note ? this.cipher.encryptNote(transferId, note) : null,
      });
      const notice =
        conversation && conversation.state === 'open'
          ? await this.log.appendIn(tx, conversation.id, {
              sender: 'system',
              userId: null,
              clientId: `transfer:${transferId}`,
              text: TRANSFER_NOTICE,
            })
          : undefined;
      return { contact: moved, notice };
    });
    const view = toContactView(result.contact);
    if (result.notice) this.delivery.message(result.notice.conversation, result.notice.message);
    this.notifier.contactUpdated(user.id, { contact: view });
    await this.routing.routeContact(id);
    await this.routing.routeOperator(user.id);
    return view;
  }

  private async checkTarget(target: TransferTarget): Promise<void> {
    if ('userId' in target) {
      const to = await this.users.findActive(target.userId);
      if (!to || to.role !== 'operator') {
        throw new BadRequestException(['to.userId: 没有这位在职的社工 (no active operator with this id)']);
      }
      // Only to someone on duty now: a contact must not wait for a person who is not there. (If they go off duty,
      // decline it or let it run out later, it falls back to its own pool: docs/conversations.md.)
      const state = await this.agents.get(target.userId);
      if (!state || state.presence !== 'available' || !state.connected) {
        throw new ConflictException(
          'to.userId: 这位社工当前不在岗，请转给站点或督导 (the operator is not on duty: transfer to a unit or the supervisors)',
        );
      }
    } else if ('orgUnitId' in target) {
      const unit = await this.org.findUnit(target.orgUnitId);
      if (!unit || unit.level === 'point') {
        throw new BadRequestException([
          'to.orgUnitId: 没有这个站点或区域 (no station, district, region or city with this id)',
        ]);
      }
    }
  }
}

function parseBody(body: unknown): { target: TransferTarget; note: string | null } {
  const b = (body ?? {}) as { to?: Record<string, unknown>; note?: unknown };
  const errors: string[] = [];
  let target: TransferTarget | undefined;
  const to = b.to;
  if (!to || typeof to !== 'object') {
    errors.push('to: 请选择转接对象 ({ userId } | { orgUnitId } | { supervisor: true })');
  } else {
    const keys = Object.keys(to);
    if (keys.length !== 1) errors.push('to: exactly one of userId, orgUnitId, supervisor');
    else if (keys[0] === 'userId' && typeof to.userId === 'string' && UUID.test(to.userId))
      target = { userId: to.userId };
    else if (keys[0] === 'orgUnitId' && typeof to.orgUnitId === 'string' && UUID.test(to.orgUnitId)) {
      target = { orgUnitId: to.orgUnitId };
    } else if (keys[0] === 'supervisor' && to.supervisor === true) target = { supervisor: true };
    else errors.push(`to.${keys[0]}: must be ${keys[0] === 'supervisor' ? 'true' : 'an id (uuid)'}`);
  }
  let note: string | null = null;
  if (b.note !== undefined && b.note !== null) {
    if (typeof b.note !== 'string') errors.push('note: must be text');
    else if ([...b.note].length > TRANSFER_NOTE_MAX_CHARS) {
      errors.push(`note: 备注最多 ${TRANSFER_NOTE_MAX_CHARS} 字 (at most ${TRANSFER_NOTE_MAX_CHARS} characters)`);
    } else note = b.note.trim() || null;
  }
  if (errors.length || !target) throw new BadRequestException(errors);
  return { target, note };
}
