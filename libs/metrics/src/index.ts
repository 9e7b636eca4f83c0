export * from './metrics';
export * from './metrics-access';
export * from './metrics.module';
