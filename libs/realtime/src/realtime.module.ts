import { Global, Module } from '@nestjs/common';
import { AgentNotifier } from './agent-notifier';
import { MonitorNotifier } from './monitor-notifier';
import { RedisClient } from './redis-client';
import { RouterHeartbeats } from './router-heartbeats';

@Global()
@Module({
  providers: [RedisClient, AgentNotifier, MonitorNotifier, RouterHeartbeats],
  exports: [RedisClient, AgentNotifier, MonitorNotifier, RouterHeartbeats],
})
export class RealtimeModule {}
