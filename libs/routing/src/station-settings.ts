import { Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Db } from '@kapok/database';
import { OrgRepository } from '@kapok/org';
import { RoutingRules } from './routing-rules';

/** The routing parameters a station may set differently from the city-wide defaults (null = use the default). */
export interface StationRoutingSettings {
  offerTimeoutSeconds: number | null;
  overflowDistrictSeconds: number | null;
  overflowRegionSeconds: number | null;
  overflowCitySeconds: number | null;
  skillRelaxSeconds: number | null;
  continuityWindowSeconds: number | null;
  chatCapacity: number | null;
  missedOffersToAway: number | null;
}

const COLUMNS: Record<keyof StationRoutingSettings, string> = {
  offerTimeoutSeconds: 'offer_timeout_seconds',
  overflowDistrictSeconds: 'overflow_district_seconds',
  overflowRegionSeconds: 'overflow_region_seconds',
  overflowCitySeconds: 'overflow_city_seconds',
  skillRelaxSeconds: 'skill_relax_seconds',
  continuityWindowSeconds: 'continuity_window_seconds',
  chatCapacity: 'chat_capacity',
  missedOffersToAway: 'missed_offers_to_away',
};
const KEYS = Object.keys(COLUMNS) as (keyof StationRoutingSettings)[];

@Injectable()
export class StationSettings {
  constructor(
    private readonly db: Db,
    private readonly org: OrgRepository,
    private readonly rules: RoutingRules,
  ) {}

  /** The station's own values, and what is in force (own value or the default). */
  async get(user: AuthUser, stationId: string) {
    await this.ensureStation(user, stationId);
    const row = await this.db.one<Record<string, string | number | null>>(
      'SELECT * FROM station_settings WHERE station_id = $1',
      [stationId],
    );
    const own = Object.fromEntries(
      KEYS.map((k) => [k, row?.[COLUMNS[k]] === null || row?.[COLUMNS[k]] === undefined ? null : Number(row[COLUMNS[k]])]),
    ) as unknown as StationRoutingSettings;
    const defaults = this.rules.defaults as unknown as Record<string, number>;
    const effective = Object.fromEntries(KEYS.map((k) => [k, own[k] ?? defaults[k]]));
    return { stationId, own, effective };
  }

  /** Sets (a number) or clears (null) each given parameter; others keep their value. */
  async update(user: AuthUser, stationId: string, patch: Partial<StationRoutingSettings>) {
    await this.ensureStation(user, stationId);
    const keys = KEYS.filter((k) => k in patch);
    if (keys.length) {
      const cols = keys.map((k) => COLUMNS[k]);
      await this.db.run(
        `INSERT INTO station_settings (station_id, ${cols.join(', ')}) VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')})
         ON CONFLICT (station_id) DO UPDATE SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
        [stationId, ...keys.map((k) => patch[k] ?? null)],
      );
    }
    return this.get(user, stationId);
  }

  private async ensureStation(user: AuthUser, stationId: string): Promise<void> {
    const unit = await this.org.findUnit(stationId);
    const ok =
      unit?.level === 'station' &&
      (user.role === 'admin' || (await this.org.isUnitInScope(stationId, await this.org.scopeOf(user))));
    if (!ok) throw new NotFoundException('Station not found');
  }
}
