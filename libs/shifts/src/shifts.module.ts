import { Module } from '@nestjs/common';
import { OrgModule } from '@kapok/org';
import { CoverageGapRepository } from './coverage-gap.repository';
import { CoverageWatch } from './coverage-watch';
import { ManageRoster } from './manage-roster';
import { ShiftRepository } from './shift.repository';

@Module({
  imports: [OrgModule],
  providers: [ShiftRepository, CoverageGapRepository, ManageRoster, CoverageWatch],
  exports: [ManageRoster, CoverageWatch],
})
export class ShiftsModule {}
