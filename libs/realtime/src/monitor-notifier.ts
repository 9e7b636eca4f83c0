import { Injectable } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { MONITOR_NAMESPACE, MonitorAlertEvents } from '@kapok/contracts';
import { monitorUnitRoom } from './monitor-events';
import { RedisClient } from './redis-client';

/**
 * Emits alerts to monitor sockets through Redis, from any process. `unitIds` are the org units the event is about
 * and their ancestors (OrgRepository.lineage gives them): every monitor responsible for one of them receives it.
 * The event name fixes the payload's type (MonitorAlertEvents, @kapok/contracts).
 */
@Injectable()
export class MonitorNotifier {
  private readonly monitors: Emitter<MonitorAlertEvents>;

  constructor(redis: RedisClient) {
    this.monitors = new Emitter<MonitorAlertEvents>(redis.publisher, { key: `${redis.prefix}:socket.io` }).of(
      MONITOR_NAMESPACE,
    );
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
