import { Injectable, Logger } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Clock } from '@kapok/common';
import { ContactRepository, ContactRow, OfferRepository, OfferedContact, toContactView } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { OrgRepository } from '@kapok/org';
import { AgentStateRepository } from '@kapok/presence';
import { RoutingQueue } from '@kapok/queue';
import { AgentStateEvent, MonitorNotifier, Presence } from '@kapok/realtime';
import { OfferRelease, ReleaseKind } from '../offer-release';

/**
 * An operator's sockets and declared presence, and what routing does about them:
 * becoming available routes the station at once; going away or losing the last socket revokes an open offer and
 * routes its contact to the next operator; an active contact stays with the operator through the reconnect grace,
 * and a phone contact beyond it (expireGrace).
 */
@Injectable()
export class AgentSession {
  private readonly logger = new Logger(AgentSession.name);

  constructor(
    private readonly db: Db,
    private readonly agents: AgentStateRepository,
    private readonly contacts: ContactRepository,
    private readonly offers: OfferRepository,
    private readonly release: OfferRelease,
    private readonly routing: RoutingQueue,
    private readonly monitor: MonitorNotifier,
    private readonly org: OrgRepository,
    private readonly clock: Clock,
    private readonly offered: OfferedContact,
  ) {}

  /**
   * A socket connected: returns the operator's whole current state, to send them in one event. The first socket of
   * a fresh sign-in (`sessionId`: the session of its token) starts off duty (AgentStateRepository.offDutyAtSignIn):
   * the operator clicks 上岗接听 to take contacts again.
   */
  async connected(user: AuthUser, socketId: string, gatewayId: string, sessionId?: string): Promise<AgentStateEvent> {
    await this.agents.ensure(user.id, user.orgUnitId);
    if (sessionId) await this.agents.offDutyAtSignIn(user.id, sessionId);
    await this.agents.addSession(socketId, user.id, gatewayId);
    const state = await this.currentState(user.id);
    if (state.presence === 'available') await this.routing.routeOperator(user.id);
    return state;
  }

  async disconnected(socketId: string): Promise<void> {
    // removeSession updates the operator's row, so it waits for any dispatch holding it: an offer that dispatch
    // makes is committed before we look for it below.
    const gone = await this.agents.removeSession(socketId);
    if (!gone || gone.remaining > 0) return;
    await this.revokeOpenOffer(gone.userId, { status: 'revoked', reason: 'disconnected' });
    await this.rerouteStation(gone.userId);
  }

  async setPresence(user: AuthUser, presence: Presence): Promise<AgentStateEvent> {
    await this.agents.ensure(user.id, user.orgUnitId);
    await this.db.tx((tx) => this.agents.setPresence(user.id, presence, tx));
    if (presence === 'available') await this.routing.routeOperator(user.id);
    else {
      await this.revokeOpenOffer(user.id, { status: 'revoked', reason: 'away' });
      await this.rerouteStation(user.id);
    }
    return this.currentState(user.id);
  }

  /**
   * The operator's gateway missed what was emitted to them while its Redis subscription was down: `send` gets their
   * whole state at once, then, if they are available, they are routed (an offer withdrawn meanwhile because it
   * reached nobody, or a contact waiting for its next try, may be theirs now).
   */
  async resync(userId: string, send: (state: AgentStateEvent) => void): Promise<void> {
    const state = await this.currentState(userId);
    send(state);
    if (state.presence === 'available') await this.routing.routeOperator(userId);
  }

  async currentState(userId: string): Promise<AgentStateEvent> {
    const [state, offer, held] = await Promise.all([
      this.agents.get(userId),
      this.offers.findOpenForWorker(userId),
      this.contacts.findAllHeldBy(userId),
    ]);
    const offered = offer ? await this.contacts.find(offer.contact_id) : undefined;
    return {
      presence: state?.presence ?? 'offline',
      connected: state?.connected ?? false,
      offer:
        offer && offered
          ? {
              offerId: offer.id,
              contact: await this.offered.view(offered),
              expiresAt: new Date(offer.expires_at).toISOString(),
            }
          : null,
      contact: held.length ? toContactView(held[0]) : null,
      contacts: held.map((c) => toContactView(c)),
    };
  }

  /**
   * The operator has had no socket for longer than the reconnect grace: they are set offline, so nothing more is
   * offered to them while they are away, and their text contacts (chat, wechat) go back in line, keeping their place,
   * for another operator: text can move. A phone contact stays theirs: losing the console is not losing the call,
   * which goes on on the phone network. It is taken from them only by a signal from the telephony side (`/end`: the
   * call ended), by the operator, or by a coordinator who lets it go (ReclaimContact); whoever had the conversation
   * records its outcome. The coordinators responsible for their station are told (`agent:console-lost`) and see it
   * on the live board until it is settled.
   */
  async expireGrace(userId: string): Promise<void> {
    const { reclaimed, call } = await this.db.tx(async (tx) => {
      const reclaimed: string[] = [];
      let call: ContactRow | undefined;
      // An operator holds either one phone contact or text contacts up to their chat capacity (a trigger), never
      // both: reclaim text contacts one by one until none is left, or stop at the phone contact.
      for (;;) {
        const held = await this.contacts.findActiveHeldBy(userId, tx);
        if (!held) break;
        if (held.channel === 'phone') {
          call = held;
          break;
        }
        if (!(await this.contacts.transition(tx, held.id, 'reclaim', { expectWorker: userId }))) break;
        reclaimed.push(held.id);
      }
      await this.agents.setPresence(userId, 'offline', tx);
      return { reclaimed, call };
    });
    for (const id of reclaimed) {
      this.logger.warn(`operator ${userId} did not reconnect in time; their text contact ${id} is routed again`);
      await this.routing.routeContact(id);
    }
    if (call) await this.reportConsoleLost(userId, call);
  }

  /** Tells the coordinators responsible for the operator's station that a phone contact goes on without a console. */
  private async reportConsoleLost(userId: string, call: ContactRow): Promise<void> {
    const state = await this.agents.get(userId);
    if (!state) return;
    const now = this.clock.now();
    this.logger.warn(`operator ${userId} lost their console during phone contact ${call.id}; it stays theirs`);
    this.monitor.toUnits(await this.org.lineage(state.stationId), 'agent:console-lost', {
      userId,
      stationId: state.stationId,
      contactId: call.id,
      disconnectedSeconds: state.disconnectedAt
        ? Math.max(0, Math.round((now.getTime() - state.disconnectedAt.getTime()) / 1000))
        : 0,
      at: now.toISOString(),
    });
  }

  /**
   * An operator went off duty: if that leaves their station (or district …) with nobody on duty, its waiting
   * contacts skip to the next level now, so route them again rather than wait for their next timer; and contacts
   * transferred to them no longer wait for them (they fall back to their own pool).
   */
  private async rerouteStation(userId: string): Promise<void> {
    const state = await this.agents.get(userId);
    if (!state) return;
    for (const id of await this.contacts.waitingAt(state.stationId)) await this.routing.routeContact(id);
    for (const id of await this.contacts.waitingForTransferTo(userId)) await this.routing.routeContact(id);
  }

  private async revokeOpenOffer(userId: string, kind: ReleaseKind): Promise<void> {
    const offer = await this.offers.findOpenForWorker(userId);
    if (!offer) return;
    const released = await this.db.tx((tx) => this.release.release(tx, offer, kind));
    if (released) await this.release.afterRelease(offer, kind, released);
  }
}
