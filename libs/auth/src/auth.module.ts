import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { CommonModule } from '@kapok/common';
import { AppConfig } from '@kapok/config';
import { AuthService } from './auth.service';
import { ChangePassword } from './change-password';
import { IntakeKeyGuard, IntakeKeyOrUserGuard, UserAuthGuard } from './guards';
import { IntakeKeyRepository } from './intake-key.repository';
import { PasswordHasher } from './password-hasher';
import { SessionRepository } from './session.repository';
import { SessionSignals } from './session-signals';
import { SessionWatch } from './session-watch';
import { TemporaryPasswords } from './temporary-passwords';
import { UserRepository } from './user.repository';
import { UserSessions } from './user-sessions';

@Module({
  imports: [
    CommonModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.get('JWT_SECRET'),
        // iat and exp are set by AuthService.issue: a token expires exactly when its session does.
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [
    AuthService,
    ChangePassword,
    SessionRepository,
    SessionSignals,
    SessionWatch,
    UserSessions,
    PasswordHasher,
    TemporaryPasswords,
    UserRepository,
    IntakeKeyRepository,
    UserAuthGuard,
    IntakeKeyGuard,
    IntakeKeyOrUserGuard,
  ],
  exports: [
    AuthService,
    ChangePassword,
    SessionRepository,
    SessionSignals,
    SessionWatch,
    UserSessions,
    PasswordHasher,
    TemporaryPasswords,
    UserRepository,
    IntakeKeyRepository,
    UserAuthGuard,
    IntakeKeyGuard,
    IntakeKeyOrUserGuard,
  ],
})
export class AuthModule {}
