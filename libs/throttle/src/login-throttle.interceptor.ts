import {
  CallHandler,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  NestInterceptor,
  UnauthorizedException,
} from '@nestjs/common';
import { Observable, catchError, concatMap, from, map, throwError } from 'rxjs';
import { LoginAdmission, LoginThrottle } from './login-throttle';

interface LoginRequest {
  body?: unknown;
  /** The signed-in person, on a route that checks their password again (changing it: after UserAuthGuard). */
  user?: { username?: unknown };
  ip?: string;
  socket?: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
}
interface HeaderSink {
  setHeader(name: string, value: string): void;
}

/** The 429 of a refused sign-in, in the contract's error shape (read by a person: Chinese). */
export class LoginThrottledException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        message: `登录尝试过多，请 ${retryAfterSeconds} 秒后再试`,
        error: 'Too Many Requests',
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** A wrong password: a 401 of the sign-in, or an error that says so (a wrong current password when changing it). */
const countsAsFailure = (err: unknown) =>
  err instanceof UnauthorizedException ||
  (err as { countsAsFailedSignIn?: unknown } | null)?.countsAsFailedSignIn === true;

/**
 * Put on the sign-in route (`@UseInterceptors(LoginThrottleInterceptor)`): runs after the guards and before the
 * body is validated and the password checked. Counts the attempt (LoginThrottle), or answers 429 with
 * `Retry-After`; then settles it by the handler's outcome: a 401 is a failure (kept, audited), a success resets the
 * account, anything else (400 of a malformed body, a 5xx) takes the attempt back. Also on the password change
 * (after UserAuthGuard): the account is the signed-in person's, and a wrong current password is the failure. If Redis cannot be reached the
 * sign-in goes on unthrottled (a 24-hour line must stay reachable) and the problem is logged.
 */
@Injectable()
export class LoginThrottleInterceptor implements NestInterceptor {
  private readonly logger = new Logger(LoginThrottleInterceptor.name);

  constructor(private readonly throttle: LoginThrottle) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<LoginRequest>();
    const res = ctx.switchToHttp().getResponse<HeaderSink>();
    const body = req.body as { username?: unknown } | undefined;
    const ua = req.headers['user-agent'];
    const name = typeof body?.username === 'string' ? body.username : req.user?.username;
    const origin = {
      username: typeof name === 'string' ? name.slice(0, 200) : undefined,
      ip: req.ip ?? req.socket?.remoteAddress ?? 'unknown',
      userAgent: (Array.isArray(ua) ? ua[0] : ua) ?? null,
    };
    return from(this.admit(origin)).pipe(
      concatMap((admission) => {
        if (admission && !admission.ok) {
          res.setHeader('Retry-After', String(admission.retryAfterSeconds));
          return throwError(() => new LoginThrottledException(admission.retryAfterSeconds));
        }
        const ticket = admission?.ticket;
        if (!ticket) return next.handle();
        return next.handle().pipe(
          concatMap((result) => from(this.settle(() => this.throttle.succeeded(ticket))).pipe(map(() => result))),
          catchError((err: unknown) =>
            from(
              this.settle(() => (countsAsFailure(err) ? this.throttle.failed(ticket) : this.throttle.voided(ticket))),
            ).pipe(concatMap(() => throwError(() => err))),
          ),
        );
      }),
    );
  }

  private async admit(origin: Parameters<LoginThrottle['admit']>[0]): Promise<LoginAdmission | undefined> {
    try {
      return await this.throttle.admit(origin);
    } catch (err) {
      this.logger.warn(`login throttle unavailable, sign-in not throttled: ${(err as Error).message}`);
      return undefined;
    }
  }

  private async settle(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.warn(`login throttle bookkeeping failed: ${(err as Error).message}`);
    }
  }
}
