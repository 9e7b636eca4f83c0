import { randomUUID } from 'node:crypto';
import type { Role } from '@kapok/auth';
import { OrgScope, WHOLE_ORG_ROLES, bindParam, isPathUnder, pathUnderSql, underUnitSql } from './org-scope';

/*
 * The access policy against a tree held in memory (paths built as OrgRepository.createUnit builds them):
 *
 *   city C ─ region RA ─ district DA1 ─ station S1 ─ point P1
 *          │          │              └ station S2
 *          │          └ district DA2 ─ station S3
 *          └ region RB ─ district DB1 ─ station S4 ─ point P4
 *   city X (another city) ─ station XS
 *
 * test/integration/org-scope.test.ts runs the same table against the SQL fragment in the real Postgres.
 */
type UnitName = 'C' | 'RA' | 'DA1' | 'S1' | 'P1' | 'S2' | 'DA2' | 'S3' | 'RB' | 'DB1' | 'S4' | 'P4' | 'X' | 'XS';
const PARENT: Record<UnitName, UnitName | null> = {
  C: null,
  RA: 'C',
  DA1: 'RA',
  S1: 'DA1',
  P1: 'S1',
  S2: 'DA1',
  DA2: 'RA',
  S3: 'DA2',
  RB: 'C',
  DB1: 'RB',
  S4: 'DB1',
  P4: 'S4',
  X: null,
  XS: 'X',
};
const NAMES = Object.keys(PARENT) as UnitName[];
const units = new Map<UnitName, { id: string; path: string }>();
for (const name of NAMES) {
  const id = randomUUID();
  const parent = PARENT[name];
  units.set(name, { id, path: `${parent ? units.get(parent)!.path : '/'}${id}/` });
}
const unit = (name: UnitName) => units.get(name)!;

interface Person {
  label: string;
  role: Role;
  home: UnitName | 'missing';
  supervises?: UnitName[];
  /** Every unit the person may see; every other unit of the tree is out of scope. */
  sees: UnitName[] | 'all';
}

const CITY: UnitName[] = ['C', 'RA', 'DA1', 'S1', 'P1', 'S2', 'DA2', 'S3', 'RB', 'DB1', 'S4', 'P4'];
const PEOPLE: Person[] = [
  { label: 'operator of S1', role: 'operator', home: 'S1', sees: ['S1', 'P1'] },
  { label: 'coordinator of S1', role: 'coordinator', home: 'S1', sees: ['S1', 'P1'] },
  { label: 'district coordinator of DA1', role: 'coordinator', home: 'DA1', sees: ['DA1', 'S1', 'P1', 'S2'] },
  {
    label: 'supervisor of DA1 covering S3 (other district) and S4 (other region)',
    role: 'supervisor',
    home: 'DA1',
    supervises: ['S3', 'S4'],
    // a supervised station is in scope on its own: the points below it are not
    sees: ['DA1', 'S1', 'P1', 'S2', 'S3', 'S4'],
  },
  {
    label: 'supervisor of S1 covering S2 (sibling) and XS (another city)',
    role: 'supervisor',
    home: 'S1',
    supervises: ['S2', 'XS'],
    sees: ['S1', 'P1', 'S2', 'XS'],
  },
  { label: 'manager of the city', role: 'manager', home: 'C', sees: CITY },
  { label: 'manager of region RA', role: 'manager', home: 'RA', sees: ['RA', 'DA1', 'S1', 'P1', 'S2', 'DA2', 'S3'] },
  { label: 'admin of the city', role: 'admin', home: 'C', sees: 'all' },
  { label: 'admin homed at station S1', role: 'admin', home: 'S1', sees: ['S1', 'P1'] },
  { label: 'admin of district DA1', role: 'admin', home: 'DA1', sees: ['DA1', 'S1', 'P1', 'S2'] },
  { label: 'operator whose home unit is gone', role: 'operator', home: 'missing', supervises: ['S2'], sees: [] },
];

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
