import {
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
  UnsupportedMediaTypeException,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsDateString, IsUUID } from 'class-validator';
import { AuthUser, CurrentUser, Roles, UserAuthGuard } from '@kapok/auth';
import { MONITOR_ROLES, STATION_KEEPER_ROLES } from '@kapok/contracts';
import { OrgAccess } from '@kapok/org';
import { CoverageWatch, MAX_ROSTER_ROWS, ManageRoster } from '@kapok/shifts';
import { CsvBodyInterceptor } from './csv-body';

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
    private readonly access: OrgAccess,
  ) {}

  @Get('stations/:stationId/shifts')
  list(@CurrentUser() user: AuthUser, @Param('stationId', uuid) stationId: string, @Query() q: ShiftRangeQuery) {
    return this.roster.list(user, stationId, new Date(q.from), new Date(q.to));
  }

  @Post('stations/:stationId/shifts')
  @Roles(...STATION_KEEPER_ROLES)
  create(@CurrentUser() user: AuthUser, @Param('stationId', uuid) stationId: string, @Body() dto: CreateShiftDto) {
    return this.roster.create(user, stationId, {
      workerId: dto.workerId,
      startsAt: new Date(dto.startsAt),
      endsAt: new Date(dto.endsAt),
    });
  }

  @Post('stations/:stationId/shifts/import')
  @Roles(...STATION_KEEPER_ROLES)
  // The CSV is read here, after the guards (never before the caller is known): at most 1 MB.
  @UseInterceptors(CsvBodyInterceptor)
  @ApiConsumes('text/csv')
  @ApiBody({
    description: `Header username,date,start,end; times in Asia/Shanghai; an end at or before the start is the next day; at most ${MAX_ROSTER_ROWS} shifts (more: 413)`,
    schema: { type: 'string', example: 'username,date,start,end\ndemo-operator,2026-12-01,08:00,16:00\n' },
  })
  @ApiQuery({ name: 'replace', required: false, type: Boolean })
  import(
    @CurrentUser() user: AuthUser,
    @Param('stationId', uuid) stationId: string,
    @Body() csv: unknown,
    @Query('replace', new ParseBoolPipe({ optional: true })) replace?: boolean,
  ) {
    if (typeof csv !== 'string')
      throw new UnsupportedMediaTypeException('the roster must be sent as Content-Type: text/csv');
    return this.roster.import(user, stationId, csv, replace ?? false);
  }

  @Delete('shifts/:id')
  @HttpCode(204)
  @Roles(...STATION_KEEPER_ROLES)
  remove(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.roster.remove(user, id);
  }

  @Get('coverage-gaps')
  @Roles(...MONITOR_ROLES)
  async gaps(@CurrentUser() user: AuthUser) {
    return this.coverage.open(await this.access.scopeOf(user));
  }
}
