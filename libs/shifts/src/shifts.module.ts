import { Module } from '@nestjs/common';
import { OrgModule } from '@kapok/org';
import { CoverageWatch } from './coverage-watch';
import { ManageRoster } from './manage-roster';
import { ShiftRepository } from './shift.repository';

@Module({
  imports: [OrgModule],
  providers: [ShiftRepository, ManageRoster, CoverageWatch],
  exports: [ManageRoster, CoverageWatch],
})
export class ShiftsModule {}
