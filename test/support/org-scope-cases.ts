import type { Role } from '../../libs/auth/src';
import type { OrgLevel } from '../../libs/org/src';

/*
 * The access policy's table, run against OrgScope.contains in memory (libs/org/src/org-scope.spec.ts) and against
 * its SQL fragment in the real Postgres (test/integration/org-scope.test.ts), on this tree:
 *
 *   city C ─ region RA ─ district DA1 ─ station S1 ─ point P1
 *          │          │              └ station S2
 *          │          └ district DA2 ─ station S3
 *          └ region RB ─ district DB1 ─ station S4 ─ point P4
 *   city X (another city) ─ station XS
 */
export type UnitName = 'C' | 'RA' | 'DA1' | 'S1' | 'P1' | 'S2' | 'DA2' | 'S3' | 'RB' | 'DB1' | 'S4' | 'P4' | 'X' | 'XS';

/** Each unit with its level and parent, parents first. */
export const TREE: [UnitName, OrgLevel, UnitName | null][] = [
  ['C', 'city', null],
  ['RA', 'region', 'C'],
  ['DA1', 'district', 'RA'],
  ['S1', 'station', 'DA1'],
  ['P1', 'point', 'S1'],
  ['S2', 'station', 'DA1'],
  ['DA2', 'district', 'RA'],
  ['S3', 'station', 'DA2'],
  ['RB', 'region', 'C'],
  ['DB1', 'district', 'RB'],
  ['S4', 'station', 'DB1'],
  ['P4', 'point', 'S4'],
  ['X', 'city', null],
  ['XS', 'station', 'X'],
];
export const NAMES = TREE.map(([name]) => name);

export interface Person {
  label: string;
  role: Role;
  home: UnitName | 'missing';
  supervises?: UnitName[];
  /** Every unit the person may see; every other unit of the tree is out of scope. */
  sees: UnitName[] | 'all';
}

export const CITY: UnitName[] = ['C', 'RA', 'DA1', 'S1', 'P1', 'S2', 'DA2', 'S3', 'RB', 'DB1', 'S4', 'P4'];
export const PEOPLE: Person[] = [
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
  { label: 'supervisor whose home unit is gone', role: 'supervisor', home: 'missing', supervises: ['S2'], sees: [] },
];
