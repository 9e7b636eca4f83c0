import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { AuthService, AuthUser, CurrentUser, UserAuthGuard } from '@kapok/auth';

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

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ description: '{ accessToken, user: { id, username, displayName, role, orgUnitId } }' })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password' })
  login(@Body() dto: LoginDto) {
    return this.auth.login(dto.username, dto.password);
  }

  @Get('me')
  @ApiBearerAuth()
  @UseGuards(UserAuthGuard)
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }
}
