import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseBoolPipe,
  ParseUUIDPipe,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsDateString, IsUUID } from 'class-validator';
import { AuthUser, CurrentUser, Roles, UserAuthGuard } from '@kapok/auth';
import { OrgRepository } from '@kapok/org';
import { CoverageWatch, ManageRoster } from '@kapok/shifts';

class CreateShiftDto {
  @ApiProperty()
  @IsUUID()
  workerId: string;

  @ApiProperty({ example: '2026-12-01T08:00:00+08:00' })
  @IsDateString({ strict: true })
  startsAt: string;

  @ApiProperty({ example: '2026-12-01T16:00:00+08:00' })
  @IsDateString({ strict: true })
  endsAt: string;
}

class ShiftRangeQuery {
  @ApiProperty({ example: '2026-12-01T00:00:00+08:00' })
  @IsDateString({ strict: true })
  from: string;

  @ApiProperty({ example: '2027-01-01T00:00:00+08:00' })
  @IsDateString({ strict: true })
  to: string;
}

const uuid = new ParseUUIDPipe();

@ApiTags('shifts')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller()
export class ShiftsController {
  constructor(
    private readonly roster: ManageRoster,
    private readonly coverage: CoverageWatch,
    private readonly org: OrgRepository,
  ) {}

  @Get('stations/:stationId/shifts')
  list(@CurrentUser() user: AuthUser, @Param('stationId', uuid) stationId: string, @Query() q: ShiftRangeQuery) {
    return this.roster.list(user, stationId, new Date(q.from), new Date(q.to));
  }

  @Post('stations/:stationId/shifts')
  @Roles('coordinator', 'admin')
  create(@CurrentUser() user: AuthUser, @Param('stationId', uuid) stationId: string, @Body() dto: CreateShiftDto) {
    return this.roster.create(user, stationId, {
      workerId: dto.workerId,
      startsAt: new Date(dto.startsAt),
      endsAt: new Date(dto.endsAt),
    });
  }

  @Post('stations/:stationId/shifts/import')
  @Roles('coordinator', 'admin')
  @ApiConsumes('text/csv')
  @ApiBody({
    description: 'Header username,date,start,end; times in Asia/Shanghai; an end at or before the start is the next day',
    schema: { type: 'string', example: 'username,date,start,end\ndemo-operator,2026-12-01,08:00,16:00\n' },
  })
  @ApiQuery({ name: 'replace', required: false, type: Boolean })
  import(
    @CurrentUser() user: AuthUser,
    @Param('stationId', uuid) stationId: string,
    @Body() csv: unknown,
    @Query('replace', new ParseBoolPipe({ optional: true })) replace?: boolean,
  ) {
    if (typeof csv !== 'string') throw new BadRequestException('the roster must be sent as text/csv');
    return this.roster.import(user, stationId, csv, replace ?? false);
  }

  @Delete('shifts/:id')
  @HttpCode(204)
  @Roles('coordinator', 'admin')
  remove(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.roster.remove(user, id);
  }

  @Get('coverage-gaps')
  @Roles('coordinator', 'supervisor', 'manager', 'admin')
  async gaps(@CurrentUser() user: AuthUser) {
    const scope = await this.org.scopeOf(user);
    return this.coverage.open(user.role === 'admin' ? '/' : scope.rootPath, scope.extraUnitIds);
  }
}
