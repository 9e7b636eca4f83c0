import { Module } from '@nestjs/common';
import { OrgAccess } from './org-scope';
import { OrgRepository } from './org.repository';

@Module({ providers: [OrgRepository, OrgAccess], exports: [OrgRepository, OrgAccess] })
export class OrgModule {}
