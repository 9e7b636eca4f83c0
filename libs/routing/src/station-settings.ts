import { Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { OrgAccess } from '@kapok/org';
import { RoutingRules } from './routing-rules';
import { STATION_SETTING_KEYS, StationRoutingSettings, StationSettingsRepository } from './station-settings.repository';

/** A station's routing settings: reading them with what is in force, and changing them (in scope only). */
@Injectable()
export class StationSettings {
  constructor(
    private readonly settings: StationSettingsRepository,
    private readonly access: OrgAccess,
    private readonly rules: RoutingRules,
  ) {}

  /** The station's own values, and what is in force (own value or the default). */
  async get(user: AuthUser, stationId: string) {
    await this.ensureStation(user, stationId);
    const own = await this.settings.find(stationId);
    const defaults = this.rules.defaults as unknown as Record<string, number>;
    const effective = Object.fromEntries(STATION_SETTING_KEYS.map((k) => [k, own[k] ?? defaults[k]]));
    return { stationId, own, effective };
  }

  /** Sets (a number) or clears (null) each given parameter; others keep their value. */
  async update(user: AuthUser, stationId: string, patch: Partial<StationRoutingSettings>) {
    await this.ensureStation(user, stationId);
    await this.settings.update(stationId, patch);
    return this.get(user, stationId);
  }

  private async ensureStation(user: AuthUser, stationId: string): Promise<void> {
    if (!(await this.access.stationInScope(user, stationId))) throw new NotFoundException('Station not found');
  }
}
