export * from './bounded';
export * from './intake-throttle.guard';
export * from './login-attempt.repository';
export * from './login-throttle';
export * from './login-throttle.interceptor';
export * from './redis-throttler-storage';
export * from './socket-event-limiter';
export * from './throttle.module';
