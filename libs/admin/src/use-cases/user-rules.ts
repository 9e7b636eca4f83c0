import { BadRequestException, ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { AdminUserRecord, Role } from '@kapok/auth';
import { ROLE_UNIT_LEVELS, type AdminUserView } from '@kapok/contracts';
import { Tx } from '@kapok/database';
import { OrgRepository, OrgUnitRecord } from '@kapok/org';
import { AdminAccess, AdminScope } from '../admin-scope';

/*
 * What an account may be, shared by create, update and import (and by the controller's DTOs, for the formats).
 */

/** 2 to 64 characters: letters, digits, `.`, `_`, `@`, `-`, starting with a letter or digit. Unique in any case. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;
export const DISPLAY_NAME_MAX = 100;
/** ISO 639 codes as routing matches them: yue 粤语, cmn 普通话, en … */
export const LANGUAGE_PATTERN = /^[a-z]{2,3}$/;
/** Skills as routing matches contact topics against them: psychological_support, elderly … */
export const SKILL_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
export const LIST_MAX = 20;
/** A phone extension (分机号): digits, and * # + - as PBXs write them. */
export const EXTENSION_PATTERN = /^[0-9*#+-]{1,20}$/;

/** Why a role cannot be homed at this unit, or undefined when it can. */
export function levelProblem(role: Role, unit: Pick<OrgUnitRecord, 'level' | 'name'>): string | undefined {
  const levels = ROLE_UNIT_LEVELS[role];
  if (levels.includes(unit.level)) return undefined;
  return `a ${role} belongs to a ${levels.join(', ')} (${unit.name} is a ${unit.level})`;
}

/** Problems with languages, skills, extension (field names as in the API). */
export function profileProblems(p: { languages?: string[]; skills?: string[]; extension?: string | null }): string[] {
  const problems: string[] = [];
  const list = (field: string, values: string[] | undefined, pattern: RegExp, what: string) => {
    if (values === undefined) return;
    if (values.length > LIST_MAX) problems.push(`${field} has more than ${LIST_MAX} entries`);
    const bad = values.filter((v) => !pattern.test(v));
    if (bad.length) problems.push(`${field}: ${bad.map((v) => JSON.stringify(v)).join(', ')} ${what}`);
  };
  list('languages', p.languages, LANGUAGE_PATTERN, 'must be ISO 639 codes (yue, cmn, en …)');
  list('skills', p.skills, SKILL_PATTERN, 'must be lower-case codes (psychological_support, elderly …)');
  if (p.extension !== undefined && p.extension !== null && !EXTENSION_PATTERN.test(p.extension)) {
    problems.push('extension must be 1 to 20 digits (and * # + -)');
  }
  return problems;
}

/** Distinct values, in their first order. */
export const distinct = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** The view of an account (what the API answers): the record without its unit's path. */
export function toAdminUserView(r: AdminUserRecord): AdminUserView {
  const { orgUnitPath: _, ...view } = r;
  return view;
}

/** What the audit log keeps of an account (before → after). Never a password or its hash. */
export function auditSnapshot(r: AdminUserView): Record<string, unknown> {
  return {
    username: r.username,
    displayName: r.displayName,
    role: r.role,
    orgUnitId: r.orgUnitId,
    active: r.active,
    mustChangePassword: r.mustChangePassword,
    languages: r.languages,
    skills: r.skills,
    supervisedStationIds: r.supervisedStationIds,
    extension: r.extension,
  };
}

/**
 * The home unit a role is granted at, checked and locked (FOR SHARE, so it is not closed meanwhile): unknown → 404,
 * wider than the admin's own role or outside their reach → 403 (AdminAccess.requireGrant's rule), a level the
 * role does not belong to → 400, closed → 409.
 */
export async function grantableHome(
  access: AdminAccess,
  org: OrgRepository,
  scope: AdminScope,
  role: Role,
  unitId: string,
  tx: Tx,
): Promise<OrgUnitRecord> {
  await access.requireGrant(scope, role, unitId, tx);
  const unit = await org.lockUnit(unitId, 'share', tx);
  if (!unit) throw new NotFoundException(`orgUnitId: org unit ${unitId} not found`);
  const problem = levelProblem(role, unit);
  if (problem) throw new BadRequestException([`orgUnitId: ${problem}`]);
  if (unit.closedAt) throw new ConflictException(`orgUnitId: ${unit.name} is closed`);
  return unit;
}

/**
 * The stations a supervisor is given or relieved of: each must exist (404), be a station (400), lie in the admin's
 * reach (403: supervising is a scope, and nobody grants one wider than their own) and, when added, be open (409).
 * Locked FOR SHARE when added (not closed meanwhile).
 */
export async function checkSupervisedChange(
  org: OrgRepository,
  scope: AdminScope,
  added: string[],
  removed: string[],
  tx: Tx,
): Promise<void> {
  const ids = distinct([...added, ...removed]);
  if (!ids.length) return;
  const units = new Map((await org.findUnits(ids, tx)).map((u) => [u.id, u]));
  const missing = ids.filter((id) => !units.has(id));
  if (missing.length) throw new NotFoundException(`supervisedStationIds: ${missing.join(', ')} not found`);
  const notStations = ids.filter((id) => units.get(id)!.level !== 'station');
  if (notStations.length) {
    throw new BadRequestException([
      `supervisedStationIds: ${notStations.map((id) => units.get(id)!.name).join(', ')} is not a station`,
    ]);
  }
  const outside = ids.filter((id) => !scope.canManage(units.get(id)!));
  if (outside.length) {
    throw new ForbiddenException(
      `supervisedStationIds: ${outside.map((id) => units.get(id)!.name).join(', ')} is outside the part of the organisation you administer`,
    );
  }
  for (const id of added) {
    const locked = await org.lockUnit(id, 'share', tx);
    if (locked?.closedAt) throw new ConflictException(`supervisedStationIds: ${locked.name} is closed`);
  }
}
