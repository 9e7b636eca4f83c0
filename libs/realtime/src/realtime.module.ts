import { Global, Module } from '@nestjs/common';
import { AgentNotifier } from './agent-notifier';
import { ChatNotifier } from './chat-notifier';
import { MonitorNotifier } from './monitor-notifier';
import { RedisClient } from './redis-client';
import { RouterHeartbeats } from './router-heartbeats';

@Global()
@Module({
  providers: [RedisClient, AgentNotifier, MonitorNotifier, ChatNotifier, RouterHeartbeats],
  exports: [RedisClient, AgentNotifier, MonitorNotifier, ChatNotifier, RouterHeartbeats],
})
export class RealtimeModule {}
