import { Global, Module } from '@nestjs/common';
import { AgentNotifier } from './agent-notifier';
import { MonitorNotifier } from './monitor-notifier';
import { RedisClient } from './redis-client';

@Global()
@Module({
  providers: [RedisClient, AgentNotifier, MonitorNotifier],
  exports: [RedisClient, AgentNotifier, MonitorNotifier],
})
export class RealtimeModule {}
