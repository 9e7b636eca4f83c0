import { ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { AppConfig } from '@kapok/config';

/** The window of the chat-session limit. */
export const CHAT_SESSION_WINDOW_SECONDS = 60;

/**
 * Rate limit of `POST /api/chat/sessions` (no sign-in: anyone on the internet may start a chat), per client address,
 * shared by every gateway process (RedisThrottlerStorage): CHAT_SESSIONS_PER_MINUTE per address in
 * CHAT_SESSION_WINDOW_SECONDS. Over it: 429 with `Retry-After`, in Chinese (a person reads it).
 */
@Injectable()
export class ChatSessionThrottleGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    return super.handleRequest({
      ...props,
      limit: this.config.get('CHAT_SESSIONS_PER_MINUTE'),
      ttl: CHAT_SESSION_WINDOW_SECONDS * 1000,
      blockDuration: 0,
    });
  }

  protected override async getTracker(req: Record<string, any>): Promise<string> {
    return `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
  }

  protected override generateKey(_ctx: ExecutionContext, tracker: string, name: string): string {
    return `chat-session:${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _ctx: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new HttpException(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        message: `请求过于频繁，请 ${detail.timeToBlockExpire} 秒后再试 (at most ${detail.limit} chat sessions per address in ${CHAT_SESSION_WINDOW_SECONDS} s)`,
        error: 'Too Many Requests',
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
