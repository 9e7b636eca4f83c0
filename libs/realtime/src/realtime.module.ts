import { Global, Module } from '@nestjs/common';
import { AgentNotifier } from './agent-notifier';
import { RedisClient } from './redis-client';

@Global()
@Module({ providers: [RedisClient, AgentNotifier], exports: [RedisClient, AgentNotifier] })
export class RealtimeModule {}
