import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Clock } from '@kapok/common';
import { AuthService } from './auth.service';
import { AuthSession, AuthUser, IntakeKeyPrincipal, Role } from './auth.types';
import { IntakeKeyRepository } from './intake-key.repository';

interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: AuthUser;
  session?: AuthSession;
  intakeKey?: IntakeKeyPrincipal;
}

const ROLES_KEY = 'kapok:roles';
/** Restricts a route to these roles (403 for the others). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

const PENDING_PASSWORD_CHANGE_KEY = 'kapok:pending-password-change';
/**
 * Lets a person who signed in with a temporary password through this route (changing it, signing out); every other
 * route answers them 403 (PasswordChangeRequiredException) until they have chosen their own.
 */
export const AllowPendingPasswordChange = () => SetMetadata(PENDING_PASSWORD_CHANGE_KEY, true);

const bearer = (req: AuthedRequest) => {
  const h = req.headers['authorization'];
  const v = Array.isArray(h) ? h[0] : h;
  return v?.startsWith('Bearer ') ? v.slice(7).trim() : undefined;
};
const apiKey = (req: AuthedRequest) => {
  const h = req.headers['x-api-key'];
  return Array.isArray(h) ? h[0] : h;
};

/**
 * A signed-in person (Bearer token), optionally restricted by @Roles. A person who must still change their password
 * gets 403 except on routes marked @AllowPendingPasswordChange.
 */
@Injectable()
export class UserAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const allowPendingPasswordChange = this.reflector.getAllAndOverride<boolean | undefined>(
      PENDING_PASSWORD_CHANGE_KEY,
      [ctx.getHandler(), ctx.getClass()],
    );
    const { user, session } = await this.auth.authenticateSession(bearer(req), {
      allowPendingPasswordChange: allowPendingPasswordChange === true,
    });
    req.user = user;
    req.session = session;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (roles && !roles.includes(user.role)) {
      throw new ForbiddenException(`This needs one of the roles: ${roles.join(', ')}`);
    }
    return true;
  }
}

/**
 * A telephony or chat gateway (X-Api-Key). The key is looked up on every request (no cache): a revoked key is
 * refused at once, a rotated one until its overlap ends (on the Clock).
 */
@Injectable()
export class IntakeKeyGuard implements CanActivate {
  constructor(
    private readonly keys: IntakeKeyRepository,
    private readonly clock: Clock,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const key = apiKey(req);
    if (!key) throw new UnauthorizedException('Missing X-Api-Key header');
    const found = await this.keys.findActive(key, this.clock.now());
    if (!found) throw new UnauthorizedException('Unknown intake key');
    req.intakeKey = found;
    return true;
  }
}

/** Either a gateway (X-Api-Key) or a signed-in person; the use-case decides what each may do. */
@Injectable()
export class IntakeKeyOrUserGuard implements CanActivate {
  constructor(
    private readonly intake: IntakeKeyGuard,
    private readonly user: UserAuthGuard,
  ) {}

  canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    return apiKey(req) !== undefined ? this.intake.canActivate(ctx) : this.user.canActivate(ctx);
  }
}

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<AuthedRequest>().user,
);
export const CurrentIntakeKey = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<AuthedRequest>().intakeKey,
);

/** The sign-in session of the request (after UserAuthGuard). */
export const CurrentSession = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<AuthedRequest>().session,
);

/**
 * In a use-case: refuses (403) a person whose role is not one of `roles`, naming what needs them (the console
 * translates the wording). The route-level equivalent is `@Roles(...)`.
 */
export function requireRole(user: Pick<AuthUser, 'role'>, roles: readonly Role[], what: string): void {
  if (!roles.includes(user.role)) throw new ForbiddenException(`${what} needs one of the roles: ${roles.join(', ')}`);
}
