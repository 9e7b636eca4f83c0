import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Ip,
  Param,
  ParseUUIDPipe,
  Post,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import {
  AllowPendingPasswordChange,
  AuthService,
  AuthSession,
  AuthUser,
  ChangePassword,
  CurrentSession,
  CurrentUser,
  PASSWORD_RULES,
  UserAuthGuard,
  UserSessions,
} from '@kapok/auth';
import { LOGIN_LIMITS, LoginThrottleInterceptor } from '@kapok/throttle';

class LoginDto {
  @ApiProperty({ example: 'demo-operator' })
  @IsString()
  @Length(1, 100)
  username: string;

  @ApiProperty({ example: 'hotline-demo' })
  @IsString()
  @Length(1, 200)
  password: string;
}

class ChangePasswordDto {
  @ApiProperty({ example: 'Tmp7wqHkR2xPa9' })
  @IsString()
  @Length(1, 200)
  currentPassword: string;

  @ApiProperty({
    example: 'hong-mian-2026-shequ',
    description: `At least ${PASSWORD_RULES.minLength} characters, not containing the username, not a common password, not the current one`,
  })
  @IsString()
  @Length(1, 1000)
  newPassword: string;
}

class SessionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ example: '2026-11-30T00:00:00.000Z' })
  createdAt: string;
  @ApiProperty({ example: '2026-11-30T12:00:00.000Z' })
  expiresAt: string;
  @ApiProperty({ example: '2026-11-30T03:15:00.000Z', description: 'Last use, to the minute' })
  lastSeenAt: string;
  @ApiProperty({ nullable: true, type: String, example: '10.0.0.12' })
  ip: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Mozilla/5.0 …' })
  userAgent: string | null;
  @ApiProperty({ description: 'The session of this request' })
  current: boolean;
}

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: UserSessions,
    private readonly changePassword: ChangePassword,
  ) {}

  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({
    description:
      '{ accessToken, user: { id, username, displayName, role, orgUnitId }, mustChangePassword }. ' +
      'mustChangePassword: true after an admin created, reset or imported the account with a temporary password: ' +
      'every route but POST /api/auth/change-password and /api/auth/logout answers 403 (and sockets are refused) ' +
      'until it is changed.',
  })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password' })
  // Throttled before the password is checked: failures per account and per address, shared by every gateway.
  @UseInterceptors(LoginThrottleInterceptor)
  @ApiTooManyRequestsResponse({
    description: `${LOGIN_LIMITS.perAccount} failures for one account, or ${LOGIN_LIMITS.perAddress} from one address, within ${LOGIN_LIMITS.windowSeconds} s: refused until the window ends (Retry-After, seconds)`,
  })
  login(@Body() dto: LoginDto, @Ip() ip: string, @Headers('user-agent') userAgent?: string) {
    return this.auth.login(dto.username, dto.password, { ip, userAgent });
  }

  @Get('me')
  @ApiBearerAuth()
  @UseGuards(UserAuthGuard)
  @ApiForbiddenResponse({ description: 'The password must be changed first (a temporary password)' })
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }

  // ---------------------------------------------------------------------------------------- sign-in sessions

  @Post('auth/change-password')
  @HttpCode(200)
  @ApiBearerAuth()
  @UseGuards(UserAuthGuard)
  @AllowPendingPasswordChange()
  // A wrong current password counts as a failed sign-in of the account (throttled and audited in login_attempts).
  @UseInterceptors(LoginThrottleInterceptor)
  @ApiTooManyRequestsResponse({ description: 'Too many wrong passwords for this account (Retry-After, seconds)' })
  @ApiOperation({
    summary: 'Change my password',
    description:
      'Any signed-in person, also with a temporary password (the only route they may use until they do). The new ' +
      `password must have at least ${PASSWORD_RULES.minLength} characters, not contain the username, not be a ` +
      'common password and differ from the current one. Every other session of mine ends (its token is refused, ' +
      'its sockets close); this one goes on.',
  })
  @ApiOkResponse({ schema: { example: { mustChangePassword: false, otherSessionsEnded: 1 } } })
  @ApiBadRequestResponse({
    description:
      'currentPassword is wrong, or newPassword breaks a rule: the message names it ([password.too_short], ' +
      '[password.contains_username], [password.too_common], [password.unchanged], [password.too_long])',
  })
  @ApiUnauthorizedResponse({ description: 'Not signed in' })
  change(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: AuthSession,
    @Body() dto: ChangePasswordDto,
  ): Promise<{ mustChangePassword: false; otherSessionsEnded: number }> {
    return this.changePassword.execute(user, session, dto.currentPassword, dto.newPassword);
  }

  @Post('auth/logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @UseGuards(UserAuthGuard)
  @AllowPendingPasswordChange()
  @ApiOperation({
    summary: 'Sign out: revoke the current session',
    description: 'The token is refused (401) from now on and its sockets (/agent, /monitor) are closed.',
  })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiUnauthorizedResponse({ description: 'Not signed in (or already signed out)' })
  async logout(@CurrentUser() user: AuthUser, @CurrentSession() session: AuthSession): Promise<void> {
    await this.sessions.logout(user.id, session.id);
  }

  @Get('auth/sessions')
  @ApiBearerAuth()
  @UseGuards(UserAuthGuard)
  @ApiOperation({
    summary: 'My sign-in sessions',
    description:
      'The sessions that still let someone in as me (neither signed out, revoked nor expired), newest first.',
  })
  @ApiOkResponse({ type: SessionDto, isArray: true })
  @ApiUnauthorizedResponse({ description: 'Not signed in' })
  list(@CurrentUser() user: AuthUser, @CurrentSession() session: AuthSession): Promise<SessionDto[]> {
    return this.sessions.list(user.id, session.id);
  }

  @Delete('auth/sessions/:id')
  @HttpCode(204)
  @ApiBearerAuth()
  @UseGuards(UserAuthGuard)
  @ApiOperation({
    summary: 'Revoke one of my sessions',
    description:
      'Its token is refused (401) from now on and its sockets are closed. Revoking an ended session is a no-op.',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiBadRequestResponse({ description: 'The id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such session of yours' })
  @ApiUnauthorizedResponse({ description: 'Not signed in' })
  async revoke(@CurrentUser() user: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.sessions.revoke(user.id, id);
  }
}
