import { Injectable } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { MONITOR_NAMESPACE, MonitorAlertEvents, MonitorConversationEvents } from '@kapok/contracts';
import { monitorUnitRoom, watchRoom } from './monitor-events';
import { RedisClient } from './redis-client';

/**
 * Emits alerts to monitor sockets through Redis, from any process. `unitIds` are the org units the event is about
 * and their ancestors (OrgRepository.lineage gives them): every monitor responsible for one of them receives it.
 * The event name fixes the payload's type (MonitorAlertEvents, @kapok/contracts).
 */
@Injectable()
export class MonitorNotifier {
  private readonly monitors: Emitter<MonitorAlertEvents & MonitorConversationEvents>;

  constructor(redis: RedisClient) {
    this.monitors = new Emitter<MonitorAlertEvents & MonitorConversationEvents>(redis.publisher, {
      key: `${redis.prefix}:socket.io`,
    }).of(MONITOR_NAMESPACE);
  }

  /** To the supervisors watching a contact's conversation (room `watch:<contactId>`, joined by `conversation:watch`). */
  toWatchers<E extends keyof MonitorConversationEvents>(
    contactId: string,
    event: E,
    ...payload: Parameters<MonitorConversationEvents[E]>
  ): void {
    this.monitors.to(watchRoom(contactId)).emit(event, ...payload);
  }

  toUnits<E extends keyof MonitorAlertEvents>(
    unitIds: string[],
    event: E,
    ...payload: Parameters<MonitorAlertEvents[E]>
  ): void {
    if (!unitIds.length) return;
    this.monitors.to(unitIds.map(monitorUnitRoom)).emit(event, ...payload);
  }
}
