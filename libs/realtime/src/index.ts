export * from './agent-events';
export * from './agent-notifier';
export * from './redis-client';
export * from './realtime.module';
export * from './monitor-events';
export * from './monitor-notifier';
export * from './router-heartbeats';
export * from './chat-notifier';
