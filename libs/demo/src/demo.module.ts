import { Module } from '@nestjs/common';
import { AuthModule } from '@kapok/auth';
import { OrgModule } from '@kapok/org';
import { SeedDemo } from './seed-demo';

@Module({ imports: [AuthModule, OrgModule], providers: [SeedDemo], exports: [SeedDemo] })
export class DemoModule {}
