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

const bearer = (req: AuthedRequest) => {
  const h = req.headers['authorization'];
  const v = Array.isArray(h) ? h[0] : h;
  return v?.startsWith('Bearer ') ? v.slice(7).trim() : undefined;
};
const apiKey = (req: AuthedRequest) => {
  const h = req.headers['x-api-key'];
  return Array.isArray(h) ? h[0] : h;
};

/** A signed-in person (Bearer token), optionally restricted by @Roles. */
@Injectable()
export class UserAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const { user, session } = await this.auth.authenticateSession(bearer(req));
    req.user = user;
    req.session = session;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (roles && !roles.includes(user.role)) {
      throw new ForbiddenException(`This needs one of the roles: ${roles.join(', ')}`);
    }
    return true;
  }
}

/** A telephony or chat gateway (X-Api-Key). */
@Injectable()
export class IntakeKeyGuard implements CanActivate {
  constructor(private readonly keys: IntakeKeyRepository) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const key = apiKey(req);
    if (!key) throw new UnauthorizedException('Missing X-Api-Key header');
    const found = await this.keys.findActive(key);
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
