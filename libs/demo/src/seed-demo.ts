import { Injectable, Logger } from '@nestjs/common';
import { IntakeKeyRepository, PasswordHasher, Role, UserRepository } from '@kapok/auth';
import { AppConfig } from '@kapok/config';
import { Db } from '@kapok/database';
import { SKILL_TOPICS } from '@kapok/routing';
import { DEMO_CITY_NAME, DEMO_REGIONS, OrgRepository } from '@kapok/org';

export const DEMO_PASSWORD = 'hotline-demo';
export const DEMO_INTAKE_KEY = 'demo-intake-key';
/** The first line of the demo operators' station (北京街社工站). */
export const DEMO_HOTLINE = '020-8100-0001';

const pad = (n: number) => String(n).padStart(4, '0');

/** The 村(居) points the demo gives each station of its first district. */
const DEMO_POINTS = ['第一社区居委会', '第二社区居委会', '第三社区居委会'];

/**
 * The contract's demo data: the Guangzhou tree (1 city, 4 regions, 11 districts, 176 stations), 236 hotline lines
 * (one per station, a second line at the first 60), three 村(居) points at each of the first district's first six
 * stations, the six demo accounts and the demo intake key.
 * Seeds only an empty database, in one transaction; never in production (the passwords and the key are public:
 * validateConfig refuses DEMO=true with NODE_ENV=production, and this refuses again whoever calls it).
 */
@Injectable()
export class SeedDemo {
  private readonly logger = new Logger(SeedDemo.name);

  constructor(
    private readonly db: Db,
    private readonly org: OrgRepository,
    private readonly users: UserRepository,
    private readonly keys: IntakeKeyRepository,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
  ) {}

  async execute(): Promise<boolean> {
    if (this.config.get('NODE_ENV') === 'production') {
      throw new Error('DEMO: the demo data (public passwords and intake key) is never seeded when NODE_ENV=production');
    }
    const passwordHash = await this.hasher.hash(DEMO_PASSWORD);
    return this.db.tx(async (tx) => {
      if (!(await this.org.lockEmptyTree(tx))) return false;
      const city = await this.org.createUnit({ name: DEMO_CITY_NAME, level: 'city', parentId: null }, tx);
      const stations: { id: string; name: string; districtId: string }[] = [];
      let districtOfDemo: string | undefined;
      for (const region of DEMO_REGIONS) {
        const r = await this.org.createUnit({ name: region.name, level: 'region', parentId: city.id }, tx);
        for (const district of region.districts) {
          const d = await this.org.createUnit({ name: district.name, level: 'district', parentId: r.id }, tx);
          districtOfDemo ??= d.id;
          for (const name of district.stations) {
            const s = await this.org.createUnit(
              { name: `${district.name}${name}`, level: 'station', parentId: d.id },
              tx,
            );
            stations.push({ id: s.id, name: s.name, districtId: d.id });
          }
        }
      }
      for (const [i, s] of stations.entries()) {
        await this.org.createHotline(
          { number: `020-8100-${pad(i + 1)}`, name: `${s.name}红棉守护热线`, stationId: s.id },
          tx,
        );
        if (i < 60) {
          await this.org.createHotline(
            { number: `020-8200-${pad(i + 1)}`, name: `${s.name}红棉守护热线（二线）`, stationId: s.id },
            tx,
          );
        }
      }
      // 村(居) points below the stations of the demo district (where material aid can be delivered from)
      for (const s of stations.filter((x) => x.districtId === stations[0].districtId).slice(0, 6)) {
        for (const point of DEMO_POINTS) {
          await this.org.createUnit(
            { name: `${s.name.replace(/社工站$/, '')}${point}`, level: 'point', parentId: s.id },
            tx,
          );
        }
      }
      const home = stations[0]; // 越秀区北京街社工站
      const account = (username: string, displayName: string, role: Role, orgUnitId: string) =>
        this.users.create({ username, displayName, passwordHash, role, orgUnitId }, tx);
      const op1 = await account('demo-operator', '陈晓明（接线社工）', 'operator', home.id);
      const op2 = await account('demo-operator-2', '李惠芳（接线社工）', 'operator', home.id);
      await this.users.setSkills(op1.id, ['yue', 'cmn'], [...SKILL_TOPICS], tx);
      await this.users.setSkills(
        op2.id,
        ['cmn'],
        ['emotional_support', 'material_aid', 'policy_consultation', 'elderly'],
        tx,
      );
      await account('demo-coordinator', '黄志强（越秀区协调员）', 'coordinator', districtOfDemo!);
      const supervisor = await account('demo-supervisor', '梁淑仪（督导）', 'supervisor', home.id);
      await this.users.addSupervisedStations(
        supervisor.id,
        stations
          .filter((s) => s.districtId === home.districtId)
          .slice(0, 6)
          .map((s) => s.id),
        tx,
      );
      await account('demo-manager', '周建国（民政管理者）', 'manager', city.id);
      await account('demo-admin', '系统管理员', 'admin', city.id);
      await this.keys.create('demo gateway', DEMO_INTAKE_KEY, tx);
      this.logger.log(
        `demo data seeded: ${stations.length} stations, ${6 * DEMO_POINTS.length} 村(居) points, ${stations.length + 60} hotline lines`,
      );
      return true;
    });
  }
}
