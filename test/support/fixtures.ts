import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { IntakeKeyRepository, PasswordHasher, Role, UserRepository } from '../../libs/auth/src';
import { Db } from '../../libs/database/src';
import { OrgRepository } from '../../libs/org/src';

export const PASSWORD = 'test-password-1';

export interface TestStation {
  cityId: string;
  districtId: string;
  stationId: string;
  hotlineNumber: string;
  intakeKey: string;
  intakeKeyId: string;
  operators: { id: string; username: string }[];
  user(role: Role, orgUnitId?: string): Promise<{ id: string; username: string }>;
}

let hashed: string | undefined;

/**
 * This test file's Redis key prefix: the one its environment chose (test/support/environment.ts deletes every key
 * under it once the file is done), so every stack or context the file starts shares it.
 */
export function redisPrefix(): string {
  if (!process.env.REDIS_PREFIX?.startsWith('kapok-test-'))
    process.env.REDIS_PREFIX = `kapok-test-${randomUUID().slice(0, 8)}`;
  return process.env.REDIS_PREFIX;
}

/**
 * A piece of organisation of its own for one test: city → district → station with a hotline line, `operators`
 * operators and an intake key, all with unique names, so tests never see each other's data.
 */
export async function createStation(app: INestApplicationContext, operators = 2): Promise<TestStation> {
  const org = app.get(OrgRepository);
  const users = app.get(UserRepository);
  const keys = app.get(IntakeKeyRepository);
  hashed ??= await app.get(PasswordHasher).hash(PASSWORD);
  const tag = randomUUID().slice(0, 8);
  const city = await org.createUnit({ name: `测试市-${tag}`, level: 'city', parentId: null });
  const district = await org.createUnit({ name: `测试区-${tag}`, level: 'district', parentId: city.id });
  const station = await org.createUnit({ name: `测试社工站-${tag}`, level: 'station', parentId: district.id });
  const hotlineNumber = `T-${tag}`;
  await org.createHotline({ number: hotlineNumber, name: `测试热线-${tag}`, stationId: station.id });
  const intakeKey = `key-${randomUUID()}`;
  const key = await keys.create(`test ${tag}`, intakeKey);
  let n = 0;
  const user = async (role: Role, orgUnitId = station.id) => {
    const username = `${role}-${tag}-${++n}`;
    const u = await users.create({ username, displayName: username, passwordHash: hashed!, role, orgUnitId });
    return { id: u.id, username };
  };
  const ops = [];
  for (let i = 0; i < operators; i++) ops.push(await user('operator'));
  return {
    cityId: city.id,
    districtId: district.id,
    stationId: station.id,
    hotlineNumber,
    intakeKey,
    intakeKeyId: key.id,
    operators: ops,
    user,
  };
}

/** Reads one contact row straight from the database (what the API says is checked against this). */
export async function contactRow(app: INestApplicationContext, id: string) {
  return app.get(Db).one<Record<string, any>>('SELECT * FROM contacts WHERE id = $1', [id]);
}

export interface TestTree {
  cityId: string;
  intakeKey: string;
  intakeKeyId: string;
  /** Stations by name: a1s1, a1s2 (district a1), a2s1 (district a2, same region a), b1s1 (region b). */
  stations: Record<'a1s1' | 'a1s2' | 'a2s1' | 'b1s1', { id: string; hotline: string }>;
  districts: Record<'a1' | 'a2' | 'b1', string>;
  regions: Record<'a' | 'b', string>;
  operator(
    station: keyof TestTree['stations'],
    opts?: { languages?: string[]; skills?: string[] },
  ): Promise<{ id: string; username: string }>;
  user(role: Role, unitId: string): Promise<{ id: string; username: string }>;
}

/** A small tree of its own: city → regions a, b → districts a1, a2, b1 → stations, one hotline each. */
export async function createTree(app: INestApplicationContext): Promise<TestTree> {
  const org = app.get(OrgRepository);
  const users = app.get(UserRepository);
  hashed ??= await app.get(PasswordHasher).hash(PASSWORD);
  const tag = randomUUID().slice(0, 8);
  const unit = (name: string, level: 'city' | 'region' | 'district' | 'station', parentId: string | null) =>
    org.createUnit({ name: `${name}-${tag}`, level, parentId });
  const city = await unit('市', 'city', null);
  const ra = await unit('片区a', 'region', city.id);
  const rb = await unit('片区b', 'region', city.id);
  const a1 = await unit('区a1', 'district', ra.id);
  const a2 = await unit('区a2', 'district', ra.id);
  const b1 = await unit('区b1', 'district', rb.id);
  const stations = {} as TestTree['stations'];
  for (const [name, parent] of [
    ['a1s1', a1.id],
    ['a1s2', a1.id],
    ['a2s1', a2.id],
    ['b1s1', b1.id],
  ] as const) {
    const s = await unit(`站${name}`, 'station', parent);
    const hotline = `T-${tag}-${name}`;
    await org.createHotline({ number: hotline, name: `热线${name}`, stationId: s.id });
    stations[name] = { id: s.id, hotline };
  }
  const intakeKey = `key-${randomUUID()}`;
  const key = await app.get(IntakeKeyRepository).create(`tree ${tag}`, intakeKey);
  let n = 0;
  const user = async (role: Role, unitId: string) => {
    const username = `${role}-${tag}-${++n}`;
    const u = await users.create({ username, displayName: username, passwordHash: hashed!, role, orgUnitId: unitId });
    return { id: u.id, username };
  };
  return {
    cityId: city.id,
    intakeKey,
    intakeKeyId: key.id,
    stations,
    districts: { a1: a1.id, a2: a2.id, b1: b1.id },
    regions: { a: ra.id, b: rb.id },
    user,
    operator: async (station, opts = {}) => {
      const u = await user('operator', stations[station].id);
      if (opts.languages || opts.skills) await users.setSkills(u.id, opts.languages ?? [], opts.skills ?? []);
      return u;
    },
  };
}
