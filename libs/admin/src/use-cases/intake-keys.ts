import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuthUser, IntakeKeyRecord, IntakeKeyRepository } from '@kapok/auth';
import { Clock } from '@kapok/common';
import type { IntakeKeyView, IssuedIntakeKeyView } from '@kapok/contracts';
import { Db, Tx } from '@kapok/database';
import { HotlineWithStation, OrgRepository } from '@kapok/org';
import { AdminAuditTrail } from '../admin-audit';
import { AdminAccess, AdminScope } from '../admin-scope';
import { toIntakeKeyView } from '../admin.views';

/** How long a rotated key's predecessor is still accepted unless told otherwise: a day. */
export const DEFAULT_KEY_OVERLAP_SECONDS = 24 * 3600;
/** The longest overlap: a week. */
export const MAX_KEY_OVERLAP_SECONDS = 7 * 24 * 3600;

/** A new key: 256 random bits, prefixed so that it is recognisable in a gateway's configuration. */
const newKey = () => `kpk_${randomBytes(32).toString('base64url')}`;

/**
 * Who administers a key: a key for every line, only admins of the whole organisation; a key for some lines, admins
 * whose reach holds every one of them (revoking it stops all of them).
 */
function administers(scope: AdminScope, key: IntakeKeyRecord, lines: Map<string, HotlineWithStation>): boolean {
  if (key.hotlineIds === null) return scope.wholeOrg;
  return key.hotlineIds.every((id) => {
    const line = lines.get(id);
    return !!line && scope.canManage({ id: line.stationId, path: line.stationPath });
  });
}

/** The deepest unit above (or at) every given line's station: where an audit row about the key belongs. */
function commonUnit(lines: HotlineWithStation[]): string | null {
  if (!lines.length) return null;
  const paths = lines.map((l) => l.stationPath.split('/').filter(Boolean));
  const common: string[] = [];
  for (let i = 0; paths.every((p) => i < p.length && p[i] === paths[0][i]); i++) common.push(paths[0][i]);
  return common.at(-1) ?? null;
}

/** What an audit row says of a key (never the key, nor its digest). */
const auditFields = (k: Pick<IntakeKeyRecord, 'name' | 'hotlineIds'>) => ({ name: k.name, hotlineIds: k.hotlineIds });

/** Reads keys and their lines under the admin's scope (404 for a key the admin does not administer). */
@Injectable()
export class IntakeKeyAccess {
  constructor(
    private readonly keys: IntakeKeyRepository,
    private readonly org: OrgRepository,
  ) {}

  async linesOf(keys: IntakeKeyRecord[], tx?: Tx): Promise<Map<string, HotlineWithStation>> {
    const ids = [...new Set(keys.flatMap((k) => k.hotlineIds ?? []))];
    return new Map((await this.org.findHotlines(ids, tx)).map((l) => [l.id, l]));
  }

  async administered(scope: AdminScope): Promise<IntakeKeyRecord[]> {
    const keys = await this.keys.list();
    const lines = await this.linesOf(keys);
    return keys.filter((k) => administers(scope, k, lines));
  }

  /** The key and the unit its audit rows belong to; 404 when unknown or not the admin's. */
  async find(scope: AdminScope, id: string, tx: Tx): Promise<{ key: IntakeKeyRecord; unitId: string | null }> {
    const key = await this.keys.find(id, tx);
    const lines = key ? await this.linesOf([key], tx) : new Map<string, HotlineWithStation>();
    if (!key || !administers(scope, key, lines)) throw new NotFoundException(`Intake key ${id} not found`);
    return { key, unitId: commonUnit([...lines.values()]) };
  }
}

/** `GET /api/admin/intake-keys`: the keys the admin administers, newest first, with their last use. */
@Injectable()
export class ListIntakeKeys {
  constructor(
    private readonly access: AdminAccess,
    private readonly keys: IntakeKeyAccess,
  ) {}

  async execute(user: AuthUser): Promise<IntakeKeyView[]> {
    return (await this.keys.administered(await this.access.scopeOf(user))).map(toIntakeKeyView);
  }
}

/**
 * `POST /api/admin/intake-keys`: a key for a named gateway, for the given lines (each in the admin's reach: 403
 * otherwise) or, by admins of the whole organisation only, for every line. The key is returned here only; only its
 * SHA-256 digest is stored.
 */
@Injectable()
export class IssueIntakeKey {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly keys: IntakeKeyRepository,
    private readonly org: OrgRepository,
    private readonly trail: AdminAuditTrail,
  ) {}

  async execute(user: AuthUser, input: { name: string; hotlineIds?: string[] }): Promise<IssuedIntakeKeyView> {
    return this.db.tx(async (tx) => {
      const scope = await this.access.scopeOf(user, tx);
      const ids = input.hotlineIds ? [...new Set(input.hotlineIds.map((id) => id.toLowerCase()))] : null;
      let lines: HotlineWithStation[] = [];
      if (ids === null) {
        if (!scope.wholeOrg) {
          throw new ForbiddenException(
            'hotlineIds: a key for every line needs an admin of the whole organisation; give the lines it is for',
          );
        }
      } else {
        lines = await this.org.findHotlines(ids, tx);
        const found = new Set(lines.map((l) => l.id));
        const missing = ids.filter((id) => !found.has(id));
        if (missing.length) throw new NotFoundException(`hotlineIds: ${missing.join(', ')} not found`);
        const outside = lines.filter((l) => !scope.canManage({ id: l.stationId, path: l.stationPath }));
        if (outside.length) {
          throw new ForbiddenException(
            `hotlineIds: ${outside.map((l) => l.number).join(', ')} outside the part of the organisation you administer`,
          );
        }
      }
      const key = newKey();
      const created = await this.keys.create(input.name, key, tx, ids);
      await this.trail.record(tx, user, {
        action: 'admin.intake_key.create',
        subjectType: 'intake_key',
        subjectId: created.id,
        unitId: commonUnit(lines),
        before: null,
        after: auditFields(created),
      });
      return { id: created.id, key };
    });
  }
}

/** `DELETE /api/admin/intake-keys/:id`: revoked, refused from the next request on. Revoking again changes nothing. */
@Injectable()
export class RevokeIntakeKey {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly keys: IntakeKeyRepository,
    private readonly keyAccess: IntakeKeyAccess,
    private readonly trail: AdminAuditTrail,
    private readonly clock: Clock,
  ) {}

  async execute(user: AuthUser, id: string): Promise<IntakeKeyView> {
    return this.db.tx(async (tx) => {
      const scope = await this.access.scopeOf(user, tx);
      const { key, unitId } = await this.keyAccess.find(scope, id, tx);
      if (await this.keys.revoke(id, this.clock.now(), tx)) {
        await this.trail.record(tx, user, {
          action: 'admin.intake_key.revoke',
          subjectType: 'intake_key',
          subjectId: id,
          unitId,
          before: { name: key.name, revoked: false },
          after: { name: key.name, revoked: true },
        });
      }
      return toIntakeKeyView((await this.keys.find(id, tx))!);
    });
  }
}

/**
 * `POST /api/admin/intake-keys/:id/rotate`: a new key for the same gateway (same id, lines and history); the key it
 * replaces is still accepted for `overlapSeconds` (default a day; 0 ends it at once), so the gateway can be
 * reconfigured without a gap. A revoked key cannot be rotated (409).
 */
@Injectable()
export class RotateIntakeKey {
  constructor(
    private readonly db: Db,
    private readonly access: AdminAccess,
    private readonly keys: IntakeKeyRepository,
    private readonly keyAccess: IntakeKeyAccess,
    private readonly trail: AdminAuditTrail,
    private readonly clock: Clock,
  ) {}

  async execute(
    user: AuthUser,
    id: string,
    overlapSeconds = DEFAULT_KEY_OVERLAP_SECONDS,
  ): Promise<IssuedIntakeKeyView> {
    return this.db.tx(async (tx) => {
      const scope = await this.access.scopeOf(user, tx);
      const { key: current, unitId } = await this.keyAccess.find(scope, id, tx);
      const now = this.clock.now();
      const until = new Date(now.getTime() + overlapSeconds * 1000);
      const key = newKey();
      if (!(await this.keys.rotate(id, key, until, now, tx))) {
        throw new ConflictException(`Intake key ${current.name} is revoked; issue a new one`);
      }
      await this.trail.record(tx, user, {
        action: 'admin.intake_key.rotate',
        subjectType: 'intake_key',
        subjectId: id,
        unitId,
        before: { name: current.name, rotatedAt: current.rotatedAt?.toISOString() ?? null },
        after: { name: current.name, rotatedAt: now.toISOString(), previousKeyValidUntil: until.toISOString() },
      });
      return { id, key, previousKeyValidUntil: until.toISOString() };
    });
  }
}
