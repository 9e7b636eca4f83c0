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
