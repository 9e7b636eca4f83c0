import type { Role } from './enums';

/** The signed-in person, as `GET /api/me` returns it (and `user` of the login answer). */
export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  orgUnitId: string;
}

/** `POST /api/auth/login`. */
export interface LoginResult {
  accessToken: string;
  user: AuthUser;
  /** The password is a temporary one (created, reset or imported by an admin): other routes answer 403 until changed. */
  mustChangePassword?: boolean;
}
