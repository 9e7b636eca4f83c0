import { Body, Controller, Get, Param, ParseUUIDPipe, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { AuthUser, CurrentUser, Roles, UserAuthGuard } from '@kapok/auth';
import { MONITOR_ROLES, STATION_KEEPER_ROLES } from '@kapok/contracts';
import { StationSettings } from '@kapok/routing';

/** Each field: a number sets the station's own value, null returns to the city-wide default, absent keeps it. */
class RoutingSettingsDto {
  @ApiPropertyOptional({ nullable: true, example: 20 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber()
  @Min(1)
  @Max(600)
  offerTimeoutSeconds?: number | null;

  @ApiPropertyOptional({ nullable: true, example: 30 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber()
  @Min(0)
  @Max(86400)
  overflowDistrictSeconds?: number | null;

  @ApiPropertyOptional({ nullable: true, example: 60 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber()
  @Min(0)
  @Max(86400)
  overflowRegionSeconds?: number | null;

  @ApiPropertyOptional({ nullable: true, example: 90 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber()
  @Min(0)
  @Max(86400)
  overflowCitySeconds?: number | null;

  @ApiPropertyOptional({ nullable: true, example: 20 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber()
  @Min(0)
  @Max(86400)
  skillRelaxSeconds?: number | null;

  @ApiPropertyOptional({ nullable: true, example: 15 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber()
  @Min(0)
  @Max(3600)
  continuityWindowSeconds?: number | null;

  @ApiPropertyOptional({ nullable: true, example: 3 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(20)
  chatCapacity?: number | null;

  @ApiPropertyOptional({ nullable: true, example: 2 })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(100)
  missedOffersToAway?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    example: 15,
    description: 'Minutes without a message before a chat is closed',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1440)
  chatIdleMinutes?: number | null;
}

@ApiTags('routing')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('stations/:stationId/routing-settings')
export class StationSettingsController {
  constructor(private readonly settings: StationSettings) {}

  @Get()
  @Roles(...MONITOR_ROLES)
  get(@CurrentUser() user: AuthUser, @Param('stationId', new ParseUUIDPipe()) stationId: string) {
    return this.settings.get(user, stationId);
  }

  @Put()
  @Roles(...STATION_KEEPER_ROLES)
  put(
    @CurrentUser() user: AuthUser,
    @Param('stationId', new ParseUUIDPipe()) stationId: string,
    @Body() dto: RoutingSettingsDto,
  ) {
    return this.settings.update(user, stationId, dto);
  }
}
