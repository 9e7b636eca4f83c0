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
import { CompleteFollowUp, ListFollowUps } from '@kapok/records';
import { CompleteFollowUpDto, ListFollowUpsQuery } from './records.dto';
import { FOLLOW_UP_DONE_EXAMPLE, FOLLOW_UP_LIST_EXAMPLE } from './records.examples';

@ApiTags('follow-ups')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('follow-ups')
export class FollowUpsController {
  constructor(
    private readonly list: ListFollowUps,
    private readonly complete: CompleteFollowUp,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Follow-ups (callbacks) per operator and station',
    description:
      'Open ones by default, earliest due first; `overdue` is true when an open follow-up is past its due time. ' +
      '`workerId=me` lists your own.',
  })
  @ApiOkResponse({ schema: { example: FOLLOW_UP_LIST_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'A filter is invalid (the message names it)' })
  find(@CurrentUser() user: AuthUser, @Query() query: ListFollowUpsQuery) {
    return this.list.execute(user, query.toFilter(user.id));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete a follow-up, linking the contact in which it was made',
    description: 'Operators, coordinators and supervisors of the station (and the operator it belongs to).',
  })
  @ApiOkResponse({ schema: { example: FOLLOW_UP_DONE_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'No contact to link, the source contact itself, or another caller’s contact' })
  @ApiForbiddenResponse({ description: 'A role that does not follow up (managers, admins)' })
  @ApiNotFoundResponse({ description: 'Unknown follow-up or contact, or outside your part of the organisation' })
  @ApiConflictResponse({ description: 'Already done or cancelled' })
  done(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: AuthUser, @Body() dto: CompleteFollowUpDto) {
    return this.complete.execute(id, user, dto);
  }
}
