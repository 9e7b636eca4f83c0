import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '@kapok/config';
import { AuthService } from './auth.service';
import { IntakeKeyGuard, IntakeKeyOrUserGuard, UserAuthGuard } from './guards';
import { IntakeKeyRepository } from './intake-key.repository';
import { PasswordHasher } from './password-hasher';
import { UserRepository } from './user.repository';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.get('JWT_SECRET'),
        signOptions: { expiresIn: config.get('JWT_TTL_SECONDS'), algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [
    AuthService,
    PasswordHasher,
    UserRepository,
    IntakeKeyRepository,
    UserAuthGuard,
    IntakeKeyGuard,
    IntakeKeyOrUserGuard,
  ],
  exports: [
    AuthService,
    PasswordHasher,
    UserRepository,
    IntakeKeyRepository,
    UserAuthGuard,
    IntakeKeyGuard,
    IntakeKeyOrUserGuard,
  ],
})
export class AuthModule {}
