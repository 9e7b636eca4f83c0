import { randomUUID } from 'node:crypto';
import type { Role } from '@kapok/auth';
import {
  OrgScope,
  WHOLE_ORG_ROLES,
  bindParam,
  isPathUnder,
  pathInRangeSql,
  pathUnderSql,
  underUnitSql,
} from './org-scope';

import { CITY, NAMES, PEOPLE, type Person, TREE, type UnitName } from '../../../test/support/org-scope-cases';

/* The access policy against the shared table's tree held in memory (paths built as OrgRepository.createUnit does). */
const units = new Map<UnitName, { id: string; path: string }>();
for (const [name, , parent] of TREE) {
  const id = randomUUID();
  units.set(name, { id, path: `${parent ? units.get(parent)!.path : '/'}${id}/` });
}
const unit = (name: UnitName) => units.get(name)!;

const grantOf = (p: Pick<Person, 'home' | 'supervises'>) => ({
  homePath: p.home === 'missing' ? undefined : unit(p.home).path,
  // as the grant query reads it: no home unit, no row, no supervised stations either
  supervisedStationIds: p.home === 'missing' ? [] : (p.supervises ?? []).map((s) => unit(s).id),
});
const scopeOf = (p: Person) => OrgScope.of(p.role, async () => grantOf(p));

describe('OrgScope (who may see what)', () => {
  describe.each(PEOPLE)('$label', (person) => {
    const table = NAMES.map((name) => ({ name, inScope: person.sees === 'all' || person.sees.includes(name) }));
    it.each(table)('$name: in scope $inScope', async ({ name, inScope }) => {
      expect((await scopeOf(person)).contains(unit(name))).toBe(inScope);
    });
  });

  it('only admins reach the whole organisation, and only from a root of the tree (the city)', async () => {
    expect(WHOLE_ORG_ROLES).toEqual(['admin']);
    for (const role of ['operator', 'coordinator', 'supervisor', 'manager'] as Role[]) {
      expect((await OrgScope.of(role, async () => grantOf({ home: 'C' }))).wholeOrg).toBe(false);
    }
    expect((await OrgScope.of('admin', async () => grantOf({ home: 'C' }))).wholeOrg).toBe(true);
    expect((await OrgScope.of('admin', async () => grantOf({ home: 'DA1' }))).wholeOrg).toBe(false);
    expect((await OrgScope.of('admin', async () => grantOf({ home: 'missing' }))).wholeOrg).toBe(false);
  });

  it("an admin's own part of the tree (statistics, live board, unit lists) is their home subtree", () => {
    const own = OrgScope.ownPart(grantOf({ home: 'S1' }));
    expect(NAMES.filter((n) => own.contains(unit(n)))).toEqual(['S1', 'P1']);
    const city = OrgScope.ownPart(grantOf({ home: 'C' }));
    expect(NAMES.filter((n) => city.contains(unit(n)))).toEqual(CITY);
  });

  it('sql() binds the root path and the extra units after the parameters already there', () => {
    const scope = OrgScope.ownPart(grantOf({ home: 'DA1', supervises: ['S4'] }));
    const params: unknown[] = ['first'];
    expect(scope.sql('s', params)).toBe(`(s.path LIKE $2 || '%' OR s.id = ANY($3::uuid[]))`);
    expect(params).toEqual(['first', unit('DA1').path, [unit('S4').id]]);
    const collected: unknown[] = [];
    const collector = { add: (v: unknown) => `$${collected.push(v) + 10}` };
    expect(scope.sql('u', collector)).toBe(`(u.path LIKE $11 || '%' OR u.id = ANY($12::uuid[]))`);
    expect(collected).toEqual([unit('DA1').path, [unit('S4').id]]);
  });

  it('sql() of the whole organisation is TRUE and binds nothing', () => {
    const params: unknown[] = [];
    expect(OrgScope.whole().sql('u', params)).toBe('TRUE');
    expect(params).toEqual([]);
  });

  it('the path helpers: a unit is below itself and its ancestors, never below a sibling or a descendant', () => {
    expect(isPathUnder(unit('P1').path, unit('S1').path)).toBe(true);
    expect(isPathUnder(unit('S1').path, unit('S1').path)).toBe(true);
    expect(isPathUnder(unit('S1').path, unit('C').path)).toBe(true);
    expect(isPathUnder(unit('S2').path, unit('S1').path)).toBe(false);
    expect(isPathUnder(unit('S1').path, unit('P1').path)).toBe(false);
    expect(pathUnderSql('f.path', 'd.path')).toBe(`f.path LIKE d.path || '%'`);
    expect(pathInRangeSql('a.station_path', '$10::text')).toBe(
      `(a.station_path >= ($10::text) COLLATE "C" AND a.station_path < kapok_path_end($10::text) COLLATE "C")`,
    );
    const params: unknown[] = [];
    expect(underUnitSql('s.path', unit('S1').id, params)).toBe(
      `s.path LIKE (SELECT root.path FROM org_units root WHERE root.id = $1) || '%'`,
    );
    expect(params).toEqual([unit('S1').id]);
    expect(bindParam(params, 7)).toBe('$2');
  });

  it('the same reach gives the same key, in any order of the supervised stations', () => {
    const a = OrgScope.ownPart(grantOf({ home: 'DA1', supervises: ['S3', 'S4'] }));
    const b = OrgScope.ownPart(grantOf({ home: 'DA1', supervises: ['S4', 'S3'] }));
    const c = OrgScope.ownPart(grantOf({ home: 'DA1', supervises: ['S3'] }));
    expect(a.key).toBe(b.key);
    expect(a.key).not.toBe(c.key);
    expect(OrgScope.whole().key).not.toBe(OrgScope.ownPart(grantOf({ home: 'C' })).key);
  });
});
