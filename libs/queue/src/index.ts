export * from './routing-jobs';
export * from './routing-queue';
export * from './queue.module';
export * from './redis-options';
