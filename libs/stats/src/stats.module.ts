import { Module } from '@nestjs/common';
import { OrgModule } from '@kapok/org';
import { LiveSnapshots } from './live-snapshot';
import { RollupRepository } from './rollup.repository';
import { StatsScopes } from './stats-scope';
import { Bulletin } from './use-cases/bulletin';
import { ServiceCounts } from './use-cases/service-counts';

const providers = [RollupRepository, StatsScopes, ServiceCounts, Bulletin, LiveSnapshots];

/** Statistics (rollups, service counts, bulletin, exports) and the live monitor's snapshots. */
@Module({ imports: [OrgModule], providers, exports: providers })
export class StatsModule {}
