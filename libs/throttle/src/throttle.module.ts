import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '@kapok/config';
import { ChatSessionThrottleGuard } from './chat-session-throttle.guard';
import { INTAKE_WINDOW_SECONDS, IntakeThrottleGuard } from './intake-throttle.guard';
import { LoginAttemptRepository } from './login-attempt.repository';
import { LoginThrottle } from './login-throttle';
import { LoginThrottleInterceptor } from './login-throttle.interceptor';
import { RedisThrottlerStorage } from './redis-throttler-storage';
import { SocketEventLimiter } from './socket-event-limiter';

/** The Redis storage on its own, so ThrottlerModule's options can be built with it. */
@Module({ providers: [RedisThrottlerStorage], exports: [RedisThrottlerStorage] })
class ThrottleStorageModule {}

/**
 * Limits on what clients can send: sign-in attempts (LoginThrottle), intake per key (@nestjs/throttler with
 * IntakeThrottleGuard), socket events per socket (SocketEventLimiter). Counts shared between processes live in
 * Redis (RedisClient from @kapok/realtime, which must be imported by the app).
 */
@Module({
  imports: [
    ThrottleStorageModule,
    ThrottlerModule.forRootAsync({
      imports: [ThrottleStorageModule],
      inject: [AppConfig, RedisThrottlerStorage],
      useFactory: (config: AppConfig, storage: RedisThrottlerStorage) => ({
        storage,
        throttlers: [
          {
            ttl: INTAKE_WINDOW_SECONDS * 1000,
            limit: config.get('INTAKE_REQUESTS_PER_SECOND') * INTAKE_WINDOW_SECONDS,
            // Over the limit: refused until the window ends (no longer block: a PBX burst must not silence a line).
            blockDuration: 0,
          },
        ],
      }),
    }),
  ],
  providers: [
    LoginAttemptRepository,
    LoginThrottle,
    LoginThrottleInterceptor,
    IntakeThrottleGuard,
    ChatSessionThrottleGuard,
    SocketEventLimiter,
  ],
  exports: [
    LoginThrottle,
    LoginThrottleInterceptor,
    IntakeThrottleGuard,
    ChatSessionThrottleGuard,
    SocketEventLimiter,
    ThrottlerModule,
  ],
})
export class ThrottleModule {}
