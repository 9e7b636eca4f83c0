import { iso } from '@kapok/common';
import type { AdminHotlineView, AdminOrgUnitView, IntakeKeyView } from '@kapok/contracts';
import type { IntakeKeyRecord } from '@kapok/auth';
import type { HotlineWithStation, OrgUnitRecord, UnitAttachments } from '@kapok/org';

export function toAdminUnitView(u: OrgUnitRecord, attached: UnitAttachments): AdminOrgUnitView {
  return {
    id: u.id,
    name: u.name,
    level: u.level,
    parentId: u.parentId,
    code: u.code,
    closed: u.closedAt !== null,
    closedAt: iso(u.closedAt),
    attached: {
      openLines: attached.openLines,
      activePeople: attached.activePeople + attached.supervisors,
      openUnits: attached.openUnits,
    },
  };
}

export function toAdminHotlineView(h: HotlineWithStation): AdminHotlineView {
  return {
    id: h.id,
    number: h.number,
    name: h.name,
    stationId: h.stationId,
    stationName: h.stationName,
    stationCode: h.stationCode,
    suspended: h.suspendedAt !== null,
    suspendedAt: iso(h.suspendedAt),
  };
}

export function toIntakeKeyView(k: IntakeKeyRecord): IntakeKeyView {
  return {
    id: k.id,
    name: k.name,
    hotlineIds: k.hotlineIds,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: iso(k.lastUsedAt),
    revoked: k.revokedAt !== null,
    revokedAt: iso(k.revokedAt),
    rotatedAt: iso(k.rotatedAt),
    previousKeyValidUntil: iso(k.previousKeyValidUntil),
  };
}
