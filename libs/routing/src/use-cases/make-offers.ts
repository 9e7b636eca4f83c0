import { Injectable, Logger } from '@nestjs/common';
import { ContactRepository, ContactRow, OfferRepository, OfferRow, OfferedContact } from '@kapok/contacts';
import { performance } from 'node:perf_hooks';
import { Clock } from '@kapok/common';
import { Db, Tx } from '@kapok/database';
import { Metrics } from '@kapok/metrics';
import { RoutingQueue } from '@kapok/queue';
import { AgentNotifier } from '@kapok/realtime';
import { MatchingRepository } from '../matching.repository';
import { OfferRelease } from '../offer-release';

/** Matches again at most this often in one call (a wider pool, a contact taken by another station's match). */
const MAX_ATTEMPTS = 5;

/**
 * Makes offers. A match takes the advisory locks of the unit it may pair in (MatchingRepository.lockMatching): for a
 * contact the unit of its pool at the moment (its station, or after an overflow step its district, region, city),
 * for an operator their station; the unit exclusively and the units above it shared. So two matches that could make
 * the same pair never run at once, and one that waited sees everything the one before it committed (no lost
 * wake-up, no pair made twice), while matches in unrelated stations run side by side. Each call makes at most one
 * offer, in one short transaction; the database's unique indexes and the operator-load trigger would refuse a double
 * assignment anyway. The time the rules are decided at is read from the Clock once the locks are held (a match that
 * waited for them decides at the moment it runs).
 *
 * Two operators of different stations may both pick a contact that overflowed to both: the second finds it offered
 * (its row lock waits for the first to commit) and looks again. A contact whose pool widened between the look before
 * the lock and the match is matched again under the wider unit's lock.
 *
 * An offer is announced after its transaction commits. One that reached no gateway (Redis counted no subscriber:
 * it just restarted and no gateway has subscribed again yet, or it is unreachable) is withdrawn at once
 * (`offer:revoked` reason `undelivered`): it does not ring nowhere for the offer timeout, does not count against
 * the operator, and its contact, keeping its place, is routed again after a short pause (OfferRelease).
 */
@Injectable()
export class MakeOffers {
  private readonly logger = new Logger(MakeOffers.name);
  /** Matching runs and the time they held the match locks (read by the routing benchmark). */
  readonly timing = { runs: 0, lockedMs: 0, waitedMs: 0 };

  constructor(
    private readonly db: Db,
    private readonly contacts: ContactRepository,
    private readonly offers: OfferRepository,
    private readonly matching: MatchingRepository,
    private readonly routing: RoutingQueue,
    private readonly notifier: AgentNotifier,
    private readonly release: OfferRelease,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly offered: OfferedContact,
  ) {}

  /**
   * A contact is waiting: offer it to the best eligible operator now, if any. A contact left waiting gets a timer
   * at the next moment its rules change by the clock (overflow step, skill relaxation, end of a reservation);
   * timers are deduplicated by contact and time, so each moment is scheduled once however often this runs.
   * Answers whether an offer was made and reached a gateway.
   */
  async forContact(contactId: string): Promise<boolean> {
    let pool = await this.matching.poolOf(contactId, this.clock.now());
    // nobody in its pool has room: no lock taken (an operator who gets room matches from their side)
    for (let attempt = 0; pool?.anyoneWithRoom && attempt < MAX_ATTEMPTS; attempt++) {
      const locked = pool;
      const result = await this.locked(locked.path, async (tx, now) => {
        // its own station's operators first: one who has not let it go (nor transferred it) there is the best of the
        // whole pool, and a match at a wide level then reads a station's operators instead of the district's or city's
        let best = await this.matching.bestOperatorFor(contactId, now, locked.stationPath, tx);
        if (best.level === undefined) return { done: true as const };
        // its pool widened since it was looked at (a wait passed, the last operator of a level left): lock the wider unit
        if (best.level > locked.level) return { wider: best.level };
        if (!best.firstChoice && locked.path !== locked.stationPath)
          best = await this.matching.bestOperatorFor(contactId, now, locked.path, tx);
        if (best.level === undefined) return { done: true as const };
        if (best.level > locked.level) return { wider: best.level };
        const made = best.userId ? await this.offer(contactId, best.userId, best.offerTimeoutSeconds, tx) : undefined;
        return { done: true as const, made };
      });
      if ('wider' in result) {
        pool = await this.matching.poolOf(contactId, this.clock.now());
        continue;
      }
      if (result.made) return this.announce(result.made);
      break;
    }
    const [next] = await this.matching.ruleTimes(contactId, this.clock.now());
    if (next) await this.routing.scheduleContactTimer(contactId, next);
    return false;
  }

  /** An operator has room: offer them the best waiting contact they may take, if any. */
  async forOperator(userId: string): Promise<boolean> {
    const station = await this.matching.hasRoom(userId);
    if (!station) return false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await this.locked(station, async (tx, now) => {
        const best = await this.matching.bestContactFor(userId, now, tx);
        if (!best) return { done: true as const };
        const made = await this.offer(best.contactId, userId, best.offerTimeoutSeconds, tx);
        // taken meanwhile by a match of another station it overflowed to: look again
        return made ? { done: true as const, made } : { taken: true as const };
      });
      if ('taken' in result) continue;
      return result.made ? this.announce(result.made) : false;
    }
    return false;
  }

  /** Runs fn under the match locks of a unit, with the moment of the match. (performance.now() only measures.) */
  private async locked<T>(path: string, fn: (tx: Tx, now: Date) => Promise<T>): Promise<T> {
    const t0 = performance.now();
    return this.db.tx(async (tx) => {
      await this.matching.lockMatching(path, tx);
      const t1 = performance.now();
      try {
        return await fn(tx, this.clock.now());
      } finally {
        this.timing.runs++;
        this.timing.waitedMs += t1 - t0;
        this.timing.lockedMs += performance.now() - t1;
      }
    });
  }

  /**
   * Two statements: the conditional transition decides (a contact offered meanwhile by another station's match, or
   * abandoned, is no longer queued: undefined, nothing written) and locks the contact, then the offer row.
   */
  private async offer(contactId: string, workerId: string, timeoutSeconds: number, tx: Tx) {
    const contact = await this.contacts.transition(tx, contactId, 'offer', { worker: workerId });
    if (!contact) return undefined;
    const offer = await this.offers.create(tx, contactId, workerId, timeoutSeconds);
    return { offer, contact };
  }

  /** Sends the committed offer; answers whether it reached a gateway (if not, it is withdrawn). */
  private async announce({ offer, contact }: { offer: OfferRow; contact: ContactRow }): Promise<boolean> {
    const first = contact.offer_count === 1 && contact.offered_at;
    this.metrics.offerMade(
      contact.channel,
      first ? (new Date(contact.offered_at!).getTime() - new Date(contact.queued_at).getTime()) / 1000 : undefined,
    );
    const delivered = await this.notifier.offer(offer.worker_id, {
      offerId: offer.id,
      contact: await this.offered.view(contact),
      expiresAt: new Date(offer.expires_at).toISOString(),
    });
    if (delivered || !(await this.withdraw(offer))) {
      await this.routing.scheduleOfferExpiry(offer.id, new Date(offer.expires_at));
    }
    this.logger.debug(`offered ${contact.id} to ${offer.worker_id}${delivered ? '' : ': reached nobody'}`);
    return delivered;
  }

  /**
   * Withdraws an offer that reached no gateway (`revoked`, reason `undelivered`). Answers false only when it could
   * not (Postgres unreachable): the offer then keeps its expiry, as any other.
   */
  private async withdraw(offer: OfferRow): Promise<boolean> {
    const kind = { status: 'revoked', reason: 'undelivered' } as const;
    try {
      const released = await this.db.tx((tx) => this.release.release(tx, offer, kind));
      if (!released) return true; // no longer open: answered (accept after a late delivery) or abandoned meanwhile
      this.logger.warn(`offer ${offer.id} of contact ${offer.contact_id} reached no gateway: withdrawn`);
      await this.release.afterRelease(offer, kind, released);
      return true;
    } catch (err) {
      this.logger.error(`could not withdraw the undelivered offer ${offer.id}: ${(err as Error).message}`);
      return false;
    }
  }
}
