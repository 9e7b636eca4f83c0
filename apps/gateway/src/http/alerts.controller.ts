import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { AcknowledgeRiskAlert, ListRiskAlerts } from '@kapok/alerts';
import { AuthUser, CurrentUser, UserAuthGuard } from '@kapok/auth';
import { ACKNOWLEDGE_NOTE_MAX_CHARS, type AcknowledgeRiskAlertRequest, type RiskAlertQuery } from '@kapok/contracts';
import { pageQuery } from './records.dto';

class ListRiskAlertsQuery extends pageQuery({ maxPageSize: 200, defaultPageSize: 50 }) implements RiskAlertQuery {
  @ApiPropertyOptional({ enum: ['open', 'closed'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'closed'])
  state?: 'open' | 'closed';
}

class AcknowledgeRiskAlertDto implements AcknowledgeRiskAlertRequest {
  @ApiPropertyOptional({ example: '已致电站点社工，督导跟进', maxLength: ACKNOWLEDGE_NOTE_MAX_CHARS })
  @IsOptional()
  @IsString()
  @MaxLength(ACKNOWLEDGE_NOTE_MAX_CHARS)
  note?: string;
}

const ALERT_EXAMPLE = {
  id: '6f1c…',
  contactId: '0b7e…',
  channel: 'phone',
  stationId: '2a4d…',
  stationName: '北京街社工站',
  source: 'critical_contact',
  riskLevel: 'critical',
  raisedAt: '2026-12-03T01:30:02.000Z',
  contactStatus: 'queued',
  queuedAt: '2026-12-03T01:30:02.000Z',
  answeredAt: null,
  operator: null,
  waitedSeconds: 42,
  asOf: '2026-12-03T01:30:44.000Z',
  state: 'open',
  acknowledgedAt: null,
  acknowledgedBy: null,
  acknowledgeNote: null,
};

@ApiTags('alerts')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly list: ListRiskAlerts,
    private readonly acknowledge: AcknowledgeRiskAlert,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Risk alerts of your part of the organisation (docs/alerts.md)',
    description:
      '`state=open` (default): the work list, oldest first — alerts nobody acknowledged yet, except a critical ' +
      'contact already answered; `state=closed`: the history, most recently closed first. `waitedSeconds` counts ' +
      'up to `asOf` while the person still waits (`contactStatus` queued or offered).',
  })
  @ApiOkResponse({ schema: { example: { items: [ALERT_EXAMPLE], total: 1, page: 1, pageSize: 50 } } })
  @ApiBadRequestResponse({ description: 'A bad `state`, `page` or `pageSize` (the message names it)' })
  @ApiForbiddenResponse({ description: 'Operators (alerts go to those responsible for the stations)' })
  find(@CurrentUser() user: AuthUser, @Query() query: ListRiskAlertsQuery) {
    return this.list.execute(user, { state: query.state ?? 'open', ...query.toPage() });
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Acknowledge a risk alert: you take it in hand (who and when are kept)',
    description: 'Coordinators, supervisors and managers of the station. Asking again answers the alert as it is.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        ...ALERT_EXAMPLE,
        state: 'acknowledged',
        acknowledgedAt: '2026-12-03T01:31:00.000Z',
        acknowledgedBy: { id: '9d2e…', name: '李督导' },
      },
    },
  })
  @ApiBadRequestResponse({ description: 'A note over 500 characters' })
  @ApiForbiddenResponse({ description: 'Operators and admins' })
  @ApiNotFoundResponse({ description: 'Unknown alert, or outside your part of the organisation' })
  @ApiConflictResponse({ description: 'Someone else acknowledged it, or its critical contact was answered' })
  ack(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() user: AuthUser,
    @Body() dto: AcknowledgeRiskAlertDto,
  ) {
    return this.acknowledge.execute(id, user, dto.note);
  }
}
