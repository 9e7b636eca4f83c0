import { Injectable } from '@nestjs/common';
import { Db, Tx } from '@kapok/database';

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
  /** Minutes without a message after which a text conversation is closed (libs/conversations). */
  chatIdleMinutes: number | null;
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
  chatIdleMinutes: 'chat_idle_minutes',
};
export const STATION_SETTING_KEYS = Object.keys(COLUMNS) as (keyof StationRoutingSettings)[];

/**
 * The one writer of `station_settings`. The matching SQL (MatchingRepository) and the continuity reservation read
 * the overrides in place, with COALESCE to the default.
 */
@Injectable()
export class StationSettingsRepository {
  constructor(private readonly db: Db) {}

  /** The station's own values (null where it uses the default). */
  async find(stationId: string): Promise<StationRoutingSettings> {
    const row = await this.db.one<Record<string, string | number | null>>(
      'SELECT * FROM station_settings WHERE station_id = $1',
      [stationId],
    );
    return Object.fromEntries(
      STATION_SETTING_KEYS.map((k) => {
        const v = row?.[COLUMNS[k]];
        return [k, v === null || v === undefined ? null : Number(v)];
      }),
    ) as unknown as StationRoutingSettings;
  }

  /** Sets (a number) or clears (null) each given parameter; others keep their value. */
  async update(stationId: string, patch: Partial<StationRoutingSettings>): Promise<void> {
    const keys = STATION_SETTING_KEYS.filter((k) => k in patch);
    if (!keys.length) return;
    const cols = keys.map((k) => COLUMNS[k]);
    await this.db.run(
      `INSERT INTO station_settings (station_id, ${cols.join(', ')}) VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')})
       ON CONFLICT (station_id) DO UPDATE SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
      [stationId, ...keys.map((k) => patch[k] ?? null)],
    );
  }

  /** How many offers in a row an operator of the station may miss before they are set away. */
  async missedOffersToAway(stationId: string, fallback: number, tx: Tx): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      `SELECT COALESCE((SELECT missed_offers_to_away FROM station_settings WHERE station_id = $1), $2)::int AS n`,
      [stationId, fallback],
      tx,
    );
    return row!.n;
  }
}
