import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AuthUser } from './auth.types';
import { PasswordHasher } from './password-hasher';
import { UserRepository } from './user.repository';

// A valid argon2 hash of a random string: verifying against it when the user does not exist keeps the
// answer time the same, so a login does not reveal which usernames exist.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$zN2yzCIX0RibZLDeS2eVjw$FVt2lt/D/0oUmp8WM3GTqowDBsHe6aZy2JmUnmFRTNk';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
  ) {}

  async login(username: string, password: string): Promise<{ accessToken: string; user: AuthUser }> {
    const found = await this.users.findCredentials(username);
    const ok = await this.hasher.verify(found?.passwordHash ?? DUMMY_HASH, password);
    if (!found || !ok) throw new UnauthorizedException('Wrong username or password');
    const { passwordHash: _, ...user } = found;
    const accessToken = await this.jwt.signAsync({ sub: user.id, role: user.role });
    return { accessToken, user };
  }

  /** Verifies a token and reloads the person, so a deactivated account is refused at once. */
  async authenticate(token: string | undefined): Promise<AuthUser> {
    if (!token) throw new UnauthorizedException('Not signed in');
    let sub: string;
    try {
      sub = (await this.jwt.verifyAsync<{ sub: string }>(token)).sub;
    } catch {
      throw new UnauthorizedException('Invalid or expired token');
    }
    const user = typeof sub === 'string' && UUID.test(sub) ? await this.users.findActive(sub) : undefined;
    if (!user) throw new UnauthorizedException('Invalid or expired token');
    return user;
  }
}
