export type Role = 'operator' | 'coordinator' | 'supervisor' | 'manager' | 'admin';
export const ROLES: Role[] = ['operator', 'coordinator', 'supervisor', 'manager', 'admin'];

/** The signed-in person, as `GET /api/me` returns it. */
export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  orgUnitId: string;
}

export interface IntakeKeyPrincipal {
  id: string;
  name: string;
}

/** Why a session was revoked: signed out, revoked by its owner from the sessions list, account deactivated. */
export type SessionRevokeReason = 'logout' | 'revoked' | 'deactivated';
/** Why a socket's session ended (sent as `session:ended` before the server closes the socket). */
export type SessionEndReason = SessionRevokeReason | 'expired' | 'changed';

/** The sign-in session a request or a socket runs under (the token's `sid`). */
export interface AuthSession {
  id: string;
  expiresAt: Date;
}
