import { Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Clock, shanghaiToday } from '@kapok/common';
import { StationDutyView } from '@kapok/contracts';
import { RollupRepository, toFigures, zeroSums } from '../rollup.repository';
import { StatsReadRepository } from '../stats-read.repository';
import { StatsScopes } from '../stats-scope';

/**
 * `GET /api/stations/:stationId/duty`: who of a station is on duty now (state, the contact each holds) and each
 * operator's figures of today (Asia/Shanghai, from the rollups). For anyone whose part of the tree has the station:
 * an operator their own station (who else is on duty, their own figures), a coordinator the stations of their board
 * (the drill-down). A station outside it answers 404, like one that does not exist.
 */
@Injectable()
export class StationDuty {
  constructor(
    private readonly scopes: StatsScopes,
    private readonly reads: StatsReadRepository,
    private readonly rollups: RollupRepository,
    private readonly clock: Clock,
  ) {}

  async execute(user: AuthUser, stationId: string): Promise<StationDutyView> {
    const scope = await this.scopes.resolve(user);
    const station = scope.stations.find((s) => s.id === stationId);
    if (!station) throw new NotFoundException('Unknown station, or outside your part of the organisation');
    const now = this.clock.now();
    const day = shanghaiToday(now);
    const rows = await this.reads.operatorsOfStation(stationId);
    const today = await this.rollups.workerDay(
      rows.map((r) => r.id),
      day,
    );
    return {
      stationId,
      stationName: station.name,
      day,
      at: now.toISOString(),
      operators: rows.map((r) => {
        const f = toFigures(today.get(r.id) ?? zeroSums());
        return {
          userId: r.id,
          username: r.username,
          displayName: r.display_name,
          extension: r.extension,
          state: r.state,
          signedIn: r.signed_in,
          contact:
            r.contact_id && r.channel && r.status && r.since
              ? { contactId: r.contact_id, channel: r.channel, status: r.status, since: r.since.toISOString() }
              : null,
          today: {
            answered: f.answered,
            served: f.served,
            highRiskContacts: f.highRiskContacts,
            avgHandleSeconds: f.avgHandleSeconds,
          },
        };
      }),
    };
  }
}
