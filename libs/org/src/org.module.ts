import { Module } from '@nestjs/common';
import { DeliveringStations } from './delivering-stations';
import { OrgAccess } from './org-scope';
import { OrgRepository } from './org.repository';

@Module({
  providers: [OrgRepository, OrgAccess, DeliveringStations],
  exports: [OrgRepository, OrgAccess, DeliveringStations],
})
export class OrgModule {}
