import { Module } from '@nestjs/common';
import { OrgModule } from '@kapok/org';
import { LiveSnapshots } from './live-snapshot';
import { RollupRepository } from './rollup.repository';
import { StatsReadRepository } from './stats-read.repository';
import { StatsScopes } from './stats-scope';
import { Bulletin } from './use-cases/bulletin';
import { FoldRollups } from './use-cases/fold-rollups';
import { ReconcileRollups } from './use-cases/reconcile-rollups';
import { StationDuty } from './use-cases/station-duty';
import { ServiceCounts } from './use-cases/service-counts';

const providers = [
  RollupRepository,
  StatsReadRepository,
  StatsScopes,
  ServiceCounts,
  Bulletin,
  LiveSnapshots,
  ReconcileRollups,
  FoldRollups,
  StationDuty,
];

/** Statistics (rollups, service counts, bulletin, exports) and the live monitor's snapshots. */
@Module({ imports: [OrgModule], providers, exports: providers })
export class StatsModule {}
