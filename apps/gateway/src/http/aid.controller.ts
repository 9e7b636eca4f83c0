import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser, UserAuthGuard } from '@kapok/auth';
import { ChangeAidRequest, GetAidRequest, ListAidRequests } from '@kapok/records';
import { AidCancelDto, AidStepDto, ListAidQuery } from './records.dto';
import { AID_EXAMPLE, AID_LIST_EXAMPLE } from './records.examples';

const uuid = new ParseUUIDPipe();
const NOT_FOUND =
  'Unknown id, or neither the delivering nor the requesting station is in your part of the organisation';
const STEP_ROLES = 'Operators, coordinators and supervisors of the delivering station';

@ApiTags('aid requests')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('aid-requests')
export class AidController {
  constructor(
    private readonly list: ListAidRequests,
    private readonly get: GetAidRequest,
    private readonly change: ChangeAidRequest,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Material-aid requests',
    description:
      'Requests delivered or requested by stations in your part of the organisation. By default the open ones ' +
      '(requested, arranged), oldest first; `overdue` is true for open requests older than AID_OVERDUE_HOURS.',
  })
  @ApiOkResponse({ schema: { example: AID_LIST_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'A filter is invalid (the message names it)' })
  find(@CurrentUser() user: AuthUser, @Query() query: ListAidQuery) {
    return this.list.execute(user, query.toFilter());
  }

  @Get(':id')
  @ApiOperation({ summary: 'One material-aid request with each step (who, when, note)' })
  @ApiOkResponse({ schema: { example: AID_EXAMPLE } })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  read(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser) {
    return this.get.execute(id, user);
  }

  @Post(':id/arrange')
  @HttpCode(200)
  @ApiOperation({ summary: 'requested → arranged', description: STEP_ROLES })
  @ApiOkResponse({ schema: { example: AID_EXAMPLE } })
  @ApiForbiddenResponse({ description: 'Not the delivering station, or a role that does not deliver aid' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'The request is not `requested`' })
  arrange(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser, @Body() dto: AidStepDto) {
    return this.change.execute(id, 'arrange', user, dto.note);
  }

  @Post(':id/deliver')
  @HttpCode(200)
  @ApiOperation({ summary: 'arranged → delivered', description: STEP_ROLES })
  @ApiOkResponse({ schema: { example: { ...AID_EXAMPLE, status: 'delivered' } } })
  @ApiForbiddenResponse({ description: 'Not the delivering station, or a role that does not deliver aid' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'The request is not `arranged` (e.g. never arranged, or cancelled)' })
  deliver(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser, @Body() dto: AidStepDto) {
    return this.change.execute(id, 'deliver', user, dto.note);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'requested | arranged → cancelled, with a reason',
    description: `${STEP_ROLES}, or of the requesting station`,
  })
  @ApiOkResponse({ schema: { example: { ...AID_EXAMPLE, status: 'cancelled', cancelReason: '不再需要' } } })
  @ApiBadRequestResponse({ description: 'No reason' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'Already delivered or cancelled' })
  cancel(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser, @Body() dto: AidCancelDto) {
    return this.change.execute(id, 'cancel', user, dto.reason);
  }
}
