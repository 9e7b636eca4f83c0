import { ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';

/** The window of the intake limit; its size is INTAKE_REQUESTS_PER_SECOND × this many seconds. */
export const INTAKE_WINDOW_SECONDS = 10;

const intakeKeyOf = (req: { intakeKey?: { id?: string } }) => req.intakeKey?.id;

/**
 * Rate limit of the intake routes, per intake key (a telephony or chat gateway), shared by every gateway process
 * through RedisThrottlerStorage. Generous on purpose: a city's PBX sends bursts, so the limit is counted over
 * INTAKE_WINDOW_SECONDS (INTAKE_REQUESTS_PER_SECOND on average, any burst within that). Goes after IntakeKeyGuard:
 * `@UseGuards(IntakeKeyGuard, IntakeThrottleGuard)`. Over the limit: 429 with `Retry-After` (seconds).
 */
@Injectable()
export class IntakeThrottleGuard extends ThrottlerGuard {
  /** Only requests made with an intake key are counted (a signed-in person ending a contact is not intake). */
  protected override async shouldSkip(ctx: ExecutionContext): Promise<boolean> {
    return !intakeKeyOf(ctx.switchToHttp().getRequest());
  }

  protected override async getTracker(req: Record<string, any>): Promise<string> {
    return `key:${intakeKeyOf(req)}`;
  }

  /** One count per intake key across every intake route (not one per route, the library's default). */
  protected override generateKey(_ctx: ExecutionContext, tracker: string, name: string): string {
    return `intake:${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _ctx: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new HttpException(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        message: `Too many intake requests for this key (at most ${detail.limit} in ${INTAKE_WINDOW_SECONDS} s): retry after ${detail.timeToBlockExpire} s`,
        error: 'Too Many Requests',
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
