// Roles, the signed-in person (`GET /api/me`) and why a session ends are part of the API (@kapok/contracts).
export { ROLES } from '@kapok/contracts';
export type { AuthUser, Role, SessionEndReason, SessionRevokeReason } from '@kapok/contracts';

export interface IntakeKeyPrincipal {
  id: string;
  name: string;
  /** The lines the key may take intake for; null: every line. */
  hotlineIds: string[] | null;
}

/** The sign-in session a request or a socket runs under (the token's `sid`). */
export interface AuthSession {
  id: string;
  expiresAt: Date;
}
