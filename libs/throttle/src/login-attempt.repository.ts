import { Injectable } from '@nestjs/common';
import { Db } from '@kapok/database';

/** Which limit refused a sign-in: the account's, the address's, or both. */
export type LoginRefusedBy = 'account' | 'address' | 'both';

export interface LoginAttempt {
  at: Date;
  /** The account name as typed (clipped). Never the password. */
  username: string;
  ip: string | null;
  userAgent: string | null;
  outcome: 'failed' | 'refused';
  refusedBy?: LoginRefusedBy;
}

// eslint-disable-next-line no-control-regex -- control characters (NUL is refused by PostgreSQL) are dropped
const clip = (v: string | null, max: number) => (v ? v.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max) : null);

/** The login_attempts table: failed and refused sign-ins, for audits. Append-only. */
@Injectable()
export class LoginAttemptRepository {
  constructor(private readonly db: Db) {}

  async record(a: LoginAttempt): Promise<void> {
    const username = clip(a.username, 100) ?? '';
    await this.db.run(
      `INSERT INTO login_attempts (at, username, user_id, ip, user_agent, outcome, refused_by)
       VALUES ($1, $2, (SELECT id FROM users WHERE lower(username) = lower($2) LIMIT 1), $3, $4, $5, $6)`,
      [a.at, username, clip(a.ip, 64), clip(a.userAgent, 512), a.outcome, a.outcome === 'refused' ? a.refusedBy : null],
    );
  }
}
