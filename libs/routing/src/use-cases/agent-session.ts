import { Injectable, Logger } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { ContactRepository, OfferRepository, toContactView, toOfferedContactView } from '@kapok/contacts';
import { Db } from '@kapok/database';
import { AgentStateRepository } from '@kapok/presence';
import { RoutingQueue } from '@kapok/queue';
import { AgentStateEvent, Presence } from '@kapok/realtime';
import { OfferRelease, ReleaseKind } from '../offer-release';

/**
 * An operator's sockets and declared presence, and what routing does about them:
 * becoming available routes the station at once; going away or losing the last socket revokes an open offer and
 * routes its contact to the next operator; an active contact stays with the operator through the reconnect grace.
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
  ) {}

  /** A socket connected: returns the operator's whole current state, to send them in one event. */
  async connected(user: AuthUser, socketId: string, gatewayId: string): Promise<AgentStateEvent> {
    await this.agents.ensure(user.id, user.orgUnitId);
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

  async currentState(userId: string): Promise<AgentStateEvent> {
    const [state, offer, held] = await Promise.all([
      this.agents.get(userId),
      this.offers.findOpenForWorker(userId),
      this.contacts.findHeldBy(userId),
    ]);
    const offered = offer ? await this.contacts.find(offer.contact_id) : undefined;
    return {
      presence: state?.presence ?? 'offline',
      connected: state?.connected ?? false,
      offer:
        offer && offered
          ? {
              offerId: offer.id,
              contact: toOfferedContactView(offered),
              expiresAt: new Date(offer.expires_at).toISOString(),
            }
          : null,
      contact: held ? toContactView(held) : null,
    };
  }

  /**
   * The operator has had no socket for longer than the reconnect grace: they are set offline and an active
   * contact goes back in line (keeping its place) for another operator.
   */
  async expireGrace(userId: string): Promise<void> {
    const reclaimed = await this.db.tx(async (tx) => {
      const held = await this.contacts.findActiveHeldBy(userId, tx);
      if (held) await this.contacts.transition(tx, held.id, 'reclaim', { expectWorker: userId });
      await this.agents.setPresence(userId, 'offline', tx);
      return held?.id;
    });
    if (reclaimed) {
      this.logger.warn(`operator ${userId} did not reconnect in time; their active contact is routed again`);
      await this.routing.routeContact(reclaimed);
    }
  }

  /**
   * An operator went off duty: if that leaves their station (or district …) with nobody on duty, its waiting
   * contacts skip to the next level now, so route them again rather than wait for their next timer.
   */
  private async rerouteStation(userId: string): Promise<void> {
    const state = await this.agents.get(userId);
    if (!state) return;
    for (const id of await this.contacts.waitingAt(state.stationId)) await this.routing.routeContact(id);
  }

  private async revokeOpenOffer(userId: string, kind: ReleaseKind): Promise<void> {
    const offer = await this.offers.findOpenForWorker(userId);
    if (!offer) return;
    const released = await this.db.tx((tx) => this.release.release(tx, offer, kind));
    if (released) await this.release.afterRelease(offer, kind, released);
  }
}
