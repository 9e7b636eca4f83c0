import { CanActivate, ExecutionContext, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { DRAINING_RETRY_AFTER_SECONDS, GatewayDrain } from './gateway-drain';

/**
 * Intake on a gateway that is shutting down: 503 with Retry-After, before anything is written, so the telephony
 * gateway sends the contact again (to another gateway; intake is idempotent by its externalId).
 */
@Injectable()
export class AcceptingIntakeGuard implements CanActivate {
  constructor(private readonly drain: GatewayDrain) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.drain.draining) return true;
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(DRAINING_RETRY_AFTER_SECONDS));
    throw new ServiceUnavailableException(
      `本网关正在停止，请 ${DRAINING_RETRY_AFTER_SECONDS} 秒后重试 (this gateway is shutting down; retry after ${DRAINING_RETRY_AFTER_SECONDS} s)`,
    );
  }
}
