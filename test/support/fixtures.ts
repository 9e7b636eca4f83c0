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
