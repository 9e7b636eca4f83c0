import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { AuthUser, CurrentUser, UserAuthGuard } from '@kapok/auth';
import { DeliveringStations, HotlineView, OrgAccess, OrgRepository, OrgUnitView } from '@kapok/org';

export class DeliveringStationsQuery {
  @ApiPropertyOptional({
    description:
      'true: also the open 村(居) points (level `point`, `parentId` their station): the choices for ' +
      '`materialAid.deliveringPointId`',
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  points?: boolean;
}

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
      'stations in tree order): the choices for `materialAid.deliveringStationId` of an outcome. With ' +
      '`points=true` also the open 村(居) points below them: the choices for `materialAid.deliveringPointId`.',
  })
  deliveringStations(@CurrentUser() user: AuthUser, @Query() query: DeliveringStationsQuery): Promise<OrgUnitView[]> {
    return this.delivering.execute(user, { points: query.points === true });
  }
}
