import type { OrgLevel, Role } from './enums';
import type { Page } from './records';

// The accounts part of the administration API (`/api/admin/users…`, docs/administration.md, "Accounts").

/**
 * The levels a role's home unit may have: an operator answers at a station; a coordinator or supervisor works for a
 * station, a district, a region or the city; a manager (民政管理者) for a district, a region or the city; an admin
 * administers the subtree of their unit (a station admin, a district admin … the city admin). Nobody is homed at a
 * 村(居) point: points are served from their station. The server enforces it; the console offers only these units.
 */
export const ROLE_UNIT_LEVELS: Readonly<Record<Role, readonly OrgLevel[]>> = {
  operator: ['station'],
  coordinator: ['station', 'district', 'region', 'city'],
  supervisor: ['station', 'district', 'region', 'city'],
  manager: ['district', 'region', 'city'],
  admin: ['station', 'district', 'region', 'city'],
};

/** One account as admins see it (`GET /api/admin/users`, and the answers of create and update). */
export interface AdminUserView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** The home unit: a station for an operator; a station, district, region or the city for the other roles. */
  orgUnitId: string;
  orgUnitName: string;
  orgUnitCode: string | null;
  /** Deactivated accounts are kept (their history stays theirs) and cannot sign in. */
  active: boolean;
  /** Signed in with a temporary password: must choose their own before anything else. */
  mustChangePassword: boolean;
  /** ISO 639-3 codes (yue 粤语, cmn 普通话 …) routing matches a contact's language against. */
  languages: string[];
  /** Service skills (psychological_support, elderly …) routing matches a contact's topics against. */
  skills: string[];
  /** A supervisor's stations (also outside their home unit). Empty for the other roles. */
  supervisedStationIds: string[];
  /** The phone extension (分机号). */
  extension: string | null;
  createdAt: string;
  deactivatedAt: string | null;
  /** The last sign-in (session opened), if any is remembered. */
  lastSignInAt: string | null;
}

/** `GET /api/admin/users`. */
export type AdminUserPage = Page<AdminUserView>;

/** `POST /api/admin/users`: the account, and the temporary password when none was given (shown only here). */
export interface CreatedUserView {
  user: AdminUserView;
  temporaryPassword?: string;
}

/** `POST /api/admin/users/:id/reset-password`. */
export interface ResetPasswordView {
  temporaryPassword: string;
  /** It stops working then (TEMPORARY_PASSWORD_TTL_HOURS after the reset) unless changed: tell the person. */
  expiresAt: string;
}

/**
 * `POST /api/admin/users/import`: how many accounts were created and each one's temporary password (shown only
 * here; absent when `?password=` gave every account the same one).
 */
export interface UserImportView {
  created: number;
  users: { username: string; temporaryPassword?: string }[];
}

/** The columns of the users CSV, in order (import reads them, export writes them). */
export const USER_CSV_COLUMNS = ['username', 'displayName', 'role', 'orgUnitCode', 'languages', 'skills'] as const;
