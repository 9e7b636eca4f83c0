import { Injectable } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { MONITOR_NAMESPACE, MonitorServerEvents, monitorUnitRoom } from './monitor-events';
import { RedisClient } from './redis-client';

/**
 * Emits to monitor sockets through Redis, from any process. `unitIds` are the org units the event is about and
 * their ancestors (OrgRepository.lineage gives them): every monitor responsible for one of them receives it.
 */
@Injectable()
export class MonitorNotifier {
  private readonly monitors: Emitter<MonitorServerEvents>;

  constructor(redis: RedisClient) {
    this.monitors = new Emitter<MonitorServerEvents>(redis.publisher, { key: `${redis.prefix}:socket.io` }).of(
      MONITOR_NAMESPACE,
    );
  }

  toUnits<E extends keyof MonitorServerEvents>(
    unitIds: string[],
    event: E,
    payload: Parameters<MonitorServerEvents[E]>[0],
  ): void {
    if (!unitIds.length) return;
    (this.monitors.to(unitIds.map(monitorUnitRoom)) as any).emit(event, payload);
  }
}
