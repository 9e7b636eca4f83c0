import { Injectable } from '@nestjs/common';
import { Clock } from '@kapok/common';
import { AppConfig } from '@kapok/config';

/**
 * How long a temporary password works (TEMPORARY_PASSWORD_TTL_HOURS): created, reset or imported by an admin and
 * handed over on paper or in a message, it must be changed at the first sign-in and stops working after this time
 * (the admin resets it again). A password the person chooses never expires this way.
 */
@Injectable()
export class TemporaryPasswords {
  private readonly ttlMs: number;

  constructor(
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.ttlMs = config.get('TEMPORARY_PASSWORD_TTL_HOURS') * 3600_000;
  }

  /** Until when a temporary password set now works. */
  expiresAt(): Date {
    return new Date(this.clock.now().getTime() + this.ttlMs);
  }

  /** True when a temporary password that works until `until` no longer does. */
  expired(until: Date | null): boolean {
    return until !== null && this.clock.now().getTime() >= new Date(until).getTime();
  }
}
