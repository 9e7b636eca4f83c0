import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, UserAuthGuard } from '@kapok/auth';
import { HotlineView, OrgAccess, OrgRepository, OrgUnitView } from '@kapok/org';

@ApiTags('org')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller()
export class OrgController {
  constructor(
    private readonly org: OrgRepository,
    private readonly access: OrgAccess,
  ) {}

  @Get('org-units')
  async units(@CurrentUser() user: AuthUser): Promise<OrgUnitView[]> {
    return this.org.listUnits(await this.access.ownPartOf(user));
  }

  @Get('hotlines')
  async hotlines(@CurrentUser() user: AuthUser): Promise<HotlineView[]> {
    return this.org.listHotlines(await this.access.ownPartOf(user));
  }
}
