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
  AuthService,
  AuthSession,
  AuthUser,
  CurrentSession,
  CurrentUser,
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
  ) {}

  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ description: '{ accessToken, user: { id, username, displayName, role, orgUnitId } }' })
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
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }

  // ---------------------------------------------------------------------------------------- sign-in sessions

  @Post('auth/logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @UseGuards(UserAuthGuard)
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
