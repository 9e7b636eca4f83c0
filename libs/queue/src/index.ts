export * from './routing-jobs';
export * from './routing-queue';
export * from './routing-worker';
export * from './queue.module';
export * from './redis-options';
