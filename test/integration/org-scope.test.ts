import { randomUUID } from 'node:crypto';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule, AuthUser, UserRepository } from '../../libs/auth/src';
import { CommonModule } from '../../libs/common/src';
import { KapokConfigModule } from '../../libs/config/src';
import { DatabaseModule, Db } from '../../libs/database/src';
import { OrgAccess, OrgModule, OrgRepository, OrgScope, pathUnderSql, underUnitSql } from '../../libs/org/src';
import { redisPrefix } from '../support/fixtures';

@Module({ imports: [KapokConfigModule, CommonModule, DatabaseModule, AuthModule, OrgModule] })
class OrgScopeTestModule {}

import { CITY, NAMES, PEOPLE, TREE, type UnitName } from '../support/org-scope-cases';

/* The access policy's SQL fragment in the real Postgres, on the shared table's tree (units of this test's own). */

describe('OrgScope SQL fragment (real Postgres)', () => {
  let app: INestApplicationContext;
  let db: Db;
  let access: OrgAccess;
  const units = new Map<UnitName, { id: string; path: string }>();
  const users = new Map<string, AuthUser>();
  const id = (name: UnitName) => units.get(name)!.id;
  const allIds = () => NAMES.map(id);
  const nameOf = (unitId: string) => NAMES.find((n) => id(n) === unitId)!;
  const expected = (sees: UnitName[] | 'all') => (sees === 'all' ? [...NAMES] : sees).sort();

  /** The units of this test's tree the SQL fragment lets through. */
  const selectedBy = async (scope: OrgScope): Promise<UnitName[]> => {
    const params: unknown[] = [allIds()];
    const rows = await db.rows<{ id: string }>(
      `SELECT u.id FROM org_units u WHERE u.id = ANY($1::uuid[]) AND ${scope.sql('u', params)}`,
      params,
    );
    return rows.map((r) => nameOf(r.id)).sort();
  };

  beforeAll(async () => {
    process.env.NODE_ENV = 'test';
    redisPrefix();
    app = await NestFactory.createApplicationContext(OrgScopeTestModule, { logger: ['error'] });
    db = app.get(Db);
    access = app.get(OrgAccess);
    const org = app.get(OrgRepository);
    const userRepo = app.get(UserRepository);
    const tag = randomUUID().slice(0, 8);
    for (const [name, level, parent] of TREE) {
      const u = await org.createUnit({ name: `${name}-${tag}`, level, parentId: parent ? id(parent) : null });
      units.set(name, { id: u.id, path: u.path });
    }
    for (const [i, p] of PEOPLE.entries()) {
      const created = await userRepo.create({
        username: `scope-${tag}-${i}`,
        displayName: p.label,
        passwordHash: 'not-used',
        role: p.role,
        orgUnitId: id(p.home === 'missing' ? 'S1' : p.home),
      });
      if (p.supervises) await userRepo.addSupervisedStations(created.id, p.supervises.map(id));
      // "home unit is gone": the person as a request would carry them, pointing at a unit that does not exist
      users.set(p.label, p.home === 'missing' ? { ...created, orgUnitId: randomUUID() } : created);
    }
  }, 60_000);

  afterAll(async () => {
    if (db) {
      await db.run('DELETE FROM users WHERE id = ANY($1::uuid[])', [[...users.values()].map((u) => u.id)]);
      const ours = [...units.values()].sort((a, b) => b.path.length - a.path.length);
      for (const u of ours) await db.run('DELETE FROM org_units WHERE id = $1', [u.id]);
    }
    await app?.close();
  });

  it.each(PEOPLE)('$label: the SQL fragment, contains() and containsUnit() agree with the table', async (person) => {
    const user = users.get(person.label)!;
    const scope = await access.scopeOf(user);
    expect(await selectedBy(scope)).toEqual(expected(person.sees));
    expect(NAMES.filter((n) => scope.contains(units.get(n)!)).sort()).toEqual(expected(person.sees));
    for (const n of NAMES)
      expect([n, await access.containsUnit(scope, id(n))]).toEqual([n, scope.contains(units.get(n)!)]);
  });

  it('an unknown unit is outside every scope except the whole organisation', async () => {
    const operator = await access.scopeOf(users.get('operator of S1')!);
    const admin = await access.scopeOf(users.get('admin of the city')!);
    expect(await access.containsUnit(operator, randomUUID())).toBe(false);
    expect(await access.containsUnit(admin, randomUUID())).toBe(true);
  });

  it("an admin's own part of the tree (statistics, live board, unit lists) is their home subtree", async () => {
    expect(await selectedBy(await access.ownPartOf(users.get('admin homed at station S1')!))).toEqual(['P1', 'S1']);
    expect(await selectedBy(await access.ownPartOf(users.get('admin of the city')!))).toEqual([...CITY].sort());
    // for everyone else the own part is the scope itself
    const supervisor = users.get('supervisor of DA1 covering S3 (other district) and S4 (other region)')!;
    expect(await selectedBy(await access.ownPartOf(supervisor))).toEqual(
      await selectedBy(await access.scopeOf(supervisor)),
    );
  });

  it('the scope is read inside a transaction on its connection, and sees units created in it', async () => {
    const supervisor = users.get('supervisor of S1 covering S2 (sibling) and XS (another city)')!;
    await db
      .tx(async (tx) => {
        const point = await app
          .get(OrgRepository)
          .createUnit({ name: 'tx point', level: 'point', parentId: id('S1') }, tx);
        const scope = await access.scopeOf(supervisor, tx);
        expect(await access.containsUnit(scope, point.id, tx)).toBe(true);
        expect(await access.containsUnit(scope, point.id)).toBe(false); // not committed: not visible outside
        throw new Error('rollback');
      })
      .catch((err: Error) => expect(err.message).toBe('rollback'));
  });

  it('underUnitSql filters to a unit and below; an unknown unit selects nothing', async () => {
    const under = async (unitId: string) => {
      const params: unknown[] = [allIds()];
      const rows = await db.rows<{ id: string }>(
        `SELECT u.id FROM org_units u WHERE u.id = ANY($1::uuid[]) AND ${underUnitSql('u.path', unitId, params)}`,
        params,
      );
      return rows.map((r) => nameOf(r.id)).sort();
    };
    expect(await under(id('DA1'))).toEqual(['DA1', 'P1', 'S1', 'S2']);
    expect(await under(id('S4'))).toEqual(['P4', 'S4']);
    expect(await under(id('X'))).toEqual(['X', 'XS']);
    expect(await under(randomUUID())).toEqual([]);
  });

  it('pathUnderSql: stations below each district, joined in SQL', async () => {
    const rows = await db.rows<{ district: string; station: string }>(
      `SELECT d.id AS district, st.id AS station
         FROM org_units d JOIN org_units st ON ${pathUnderSql('st.path', 'd.path')}
        WHERE d.id = ANY($1::uuid[]) AND st.level = 'station'`,
      [[id('DA1'), id('DA2'), id('DB1')]],
    );
    const pairs = rows.map((r) => `${nameOf(r.district)}>${nameOf(r.station)}`).sort();
    expect(pairs).toEqual(['DA1>S1', 'DA1>S2', 'DA2>S3', 'DB1>S4']);
  });
});
