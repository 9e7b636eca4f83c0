import { Module } from '@nestjs/common';
import { OrgRepository } from './org.repository';

@Module({ providers: [OrgRepository], exports: [OrgRepository] })
export class OrgModule {}
