import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, UserAuthGuard } from '@kapok/auth';
import { DeliveringStations, HotlineView, OrgAccess, OrgRepository, OrgUnitView } from '@kapok/org';

@ApiTags('org')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller()
export class OrgController {
  constructor(
    private readonly org: OrgRepository,
    private readonly access: OrgAccess,
    private readonly delivering: DeliveringStations,
  ) {}

  @Get('org-units')
  async units(@CurrentUser() user: AuthUser): Promise<OrgUnitView[]> {
    return this.org.listUnits(await this.access.ownPartOf(user));
  }

  @Get('hotlines')
  async hotlines(@CurrentUser() user: AuthUser): Promise<HotlineView[]> {
    return this.org.listHotlines(await this.access.ownPartOf(user));
  }

  @Get('delivering-stations')
  @ApiOperation({
    summary: 'Stations that may deliver material aid',
    description:
      'Every open station of your city with its district (`[{ id, name, level, parentId }]`, districts and ' +
      'stations in tree order): the choices for `materialAid.deliveringStationId` of an outcome.',
  })
  deliveringStations(@CurrentUser() user: AuthUser): Promise<OrgUnitView[]> {
    return this.delivering.execute(user);
  }
}
