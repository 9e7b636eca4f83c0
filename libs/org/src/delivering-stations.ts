import { Injectable } from '@nestjs/common';
import type { OrgUnitView } from '@kapok/contracts';
import { OrgScope } from './org-scope';
import { OrgRepository } from './org.repository';

/**
 * `GET /api/delivering-stations`: where material aid may be delivered from — every open station of the person's
 * city (the caller may live in another street's area), with the districts to group them by; with `points`, also
 * the open 村(居) points below the stations (`parentId`: their station), which may deliver for their station.
 * Names only: no one's part of the organisation grows by it (records, contacts and figures keep their scope).
 */
@Injectable()
export class DeliveringStations {
  constructor(private readonly org: OrgRepository) {}

  async execute(user: { orgUnitId: string }, opts: { points?: boolean } = {}): Promise<OrgUnitView[]> {
    const home = await this.org.findUnit(user.orgUnitId);
    const cityId = home?.path.split('/').filter(Boolean)[0];
    if (!cityId) return [];
    const city = OrgScope.ownPart({ homePath: `/${cityId}/`, supervisedStationIds: [] });
    // (an open point is always below an open station: a station with open points is not closed)
    return this.org.openUnitsIn(city, opts.points ? ['district', 'station', 'point'] : ['district', 'station']);
  }
}
