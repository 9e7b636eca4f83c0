import type { OrgLevel } from './enums';
import type { HotlineView } from './org';

// The views of the administration API (`/api/admin/…`, docs/administration.md): what the 系统管理 screens show.

/** `GET /api/admin/org-units`: one unit of the admin's part of the tree (in tree order, parents first). */
export interface AdminOrgUnitView {
  id: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
  /** The unit's own code (unique; imports refer to units by it), when it has one. */
  code: string | null;
  /** Closed units stay in the tree (their history is kept) but take no new lines, people or units. */
  closed: boolean;
  closedAt: string | null;
  /** What is attached: lines not suspended (at this unit), active people (homed here), open child units. */
  attached: { openLines: number; activePeople: number; openUnits: number };
}

/** `GET /api/admin/hotlines`, and the answer of `POST`/`PATCH /api/admin/hotlines`. */
export interface AdminHotlineView extends HotlineView {
  stationName: string;
  stationCode: string | null;
  /** A suspended line's intake is refused (409) until it is resumed. */
  suspended: boolean;
  suspendedAt: string | null;
}

/** `GET /api/admin/intake-keys`: a gateway's key, never the key itself nor its hash. */
export interface IntakeKeyView {
  id: string;
  name: string;
  /** The lines the key may take intake for; null: every line. */
  hotlineIds: string[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
  revokedAt: string | null;
  /** When the key was last rotated, and until when the key it replaced is still accepted (the overlap). */
  rotatedAt: string | null;
  previousKeyValidUntil: string | null;
}

/** `POST /api/admin/intake-keys` and `POST /api/admin/intake-keys/:id/rotate`: the key, shown only here. */
export interface IssuedIntakeKeyView {
  id: string;
  key: string;
  /** After a rotation: until when the previous key is still accepted. */
  previousKeyValidUntil?: string | null;
}

/** `POST /api/admin/hotlines/import`. */
export interface HotlineImportView {
  created: number;
  hotlines: AdminHotlineView[];
}

/** `GET /api/admin/audit-log`: one administration change (who, what, before → after, when, from where). */
export interface AdminAuditView {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  actorRole: string | null;
  /** `admin.<subject>.<verb>`, e.g. `admin.org_unit.update`. */
  action: string;
  subjectType: string;
  subjectId: string | null;
  /** The unit the change belongs to (who may read it: admins whose part of the tree holds it). */
  unitId: string | null;
  /** `before` and `after` (the fields changed), and what else the change needs said. */
  detail: { before?: Record<string, unknown> | null; after?: Record<string, unknown> | null } & Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
}
