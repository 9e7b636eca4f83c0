import { randomUUID } from 'node:crypto';
import { OrgScope } from '@kapok/org';
import { AdminScope, ROLE_RANK } from './admin-scope';

/*
 * The delegation policy against a small tree held in memory (paths as OrgRepository.createUnit builds them):
 *   city C ─ district D1 ─ station S1 ─ point P1
 *          └ district D2 ─ station S2
 */
const PARENT = { C: null, D1: 'C', S1: 'D1', P1: 'S1', D2: 'C', S2: 'D2' } as const;
type Name = keyof typeof PARENT;
const units = new Map<Name, { id: string; path: string }>();
for (const name of Object.keys(PARENT) as Name[]) {
  const id = randomUUID();
  const parent = PARENT[name];
  units.set(name, { id, path: `${parent ? units.get(parent)!.path : '/'}${id}/` });
}
const u = (n: Name) => units.get(n)!;
const admin = (home: Name) =>
  new AdminScope(
    { id: randomUUID(), role: 'admin', orgUnitId: u(home).id },
    home === 'C' ? OrgScope.whole() : OrgScope.ownPart({ homePath: u(home).path, supervisedStationIds: [] }),
  );

describe('AdminScope (delegation by scope)', () => {
  it('ranks roles from operator to admin', () => {
    expect(
      Object.entries(ROLE_RANK)
        .sort((a, b) => a[1] - b[1])
        .map(([r]) => r),
    ).toEqual(['operator', 'coordinator', 'supervisor', 'manager', 'admin']);
  });

  it('an admin at the city manages, restructures and grants everywhere', () => {
    const city = admin('C');
    for (const n of units.keys()) {
      expect(city.canManage(u(n))).toBe(true);
      expect(city.canRestructure(u(n))).toBe(true);
      expect(city.canGrant('admin', u(n))).toBe(true);
    }
  });

  it("a district admin manages their district's subtree only, and cannot restructure the district itself", () => {
    const d1 = admin('D1');
    expect((['D1', 'S1', 'P1'] as Name[]).map((n) => d1.canManage(u(n)))).toEqual([true, true, true]);
    expect((['C', 'D2', 'S2'] as Name[]).map((n) => d1.canManage(u(n)))).toEqual([false, false, false]);
    expect(d1.canRestructure(u('D1'))).toBe(false);
    expect(d1.canRestructure(u('S1'))).toBe(true);
    expect(d1.canRestructure(u('S2'))).toBe(false);
  });

  it('nobody grants a scope or a role wider than their own', () => {
    const d1 = admin('D1');
    expect(d1.canGrant('admin', u('D1'))).toBe(true);
    expect(d1.canGrant('operator', u('P1'))).toBe(true);
    expect(d1.canGrant('operator', u('C'))).toBe(false);
    expect(d1.canGrant('admin', u('C'))).toBe(false);
    expect(d1.canGrant('coordinator', u('S2'))).toBe(false);
    const manager = new AdminScope({ id: randomUUID(), role: 'manager', orgUnitId: u('C').id }, OrgScope.whole());
    expect(manager.canGrant('manager', u('S1'))).toBe(true);
    expect(manager.canGrant('admin', u('S1'))).toBe(false);
  });
});
