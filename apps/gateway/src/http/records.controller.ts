import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser, UserAuthGuard } from '@kapok/auth';
import { TranscriptLinkOf } from '@kapok/conversations';
import { AmendRecord, CallerHistory, GetRecord, ListRecords, ReadCallerNumber, ReviewRecord } from '@kapok/records';
import {
  AmendRecordDto,
  CallerNumberQuery,
  HistoryQuery,
  ListRecordsQuery,
  ReviewQueueQuery,
  ReviewRecordDto,
} from './records.dto';
import {
  AMEND_EXAMPLE,
  CALLER_NUMBER_EXAMPLE,
  HISTORY_EXAMPLE,
  RECORD_EXAMPLE,
  RECORD_LIST_EXAMPLE,
} from './records.examples';

const uuid = new ParseUUIDPipe();
const NOT_FOUND = 'Unknown id, or outside your part of the organisation (the same answer)';

@ApiTags('records')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller()
export class RecordsController {
  constructor(
    private readonly list: ListRecords,
    private readonly get: GetRecord,
    private readonly amend: AmendRecord,
    private readonly review: ReviewRecord,
    private readonly history: CallerHistory,
    private readonly callerNumber: ReadCallerNumber,
    private readonly transcriptLink: TranscriptLinkOf,
  ) {}

  @Get('records')
  @ApiOperation({
    summary: 'Find service records',
    description:
      'Contacts with their records (outcome, review, follow-up, aid), in your part of the organisation only. ' +
      'Filters combine (AND); list values are comma-separated. Paginated, with the total. The caller number is ' +
      'always masked.',
  })
  @ApiOkResponse({ description: '{ items, total, page, pageSize }', schema: { example: RECORD_LIST_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'A filter is invalid (the message names it)' })
  find(@CurrentUser() user: AuthUser, @Query() query: ListRecordsQuery) {
    return this.list.execute(user, query.toFilter());
  }

  @Get('records/review-queue')
  @ApiOperation({
    summary: 'Records waiting for review',
    description: 'Completed records whose current version is not reviewed: high-risk ones first, then the oldest.',
  })
  @ApiOkResponse({ schema: { example: RECORD_LIST_EXAMPLE } })
  reviewQueue(@CurrentUser() user: AuthUser, @Query() query: ReviewQueueQuery) {
    const { page, pageSize } = query.toPage();
    return this.list.reviewQueue(user, page, pageSize);
  }

  @Get('records/:contactId')
  @ApiOperation({ summary: 'One record, with every version, review, aid request (and its steps) and the follow-up' })
  @ApiOkResponse({ schema: { example: RECORD_EXAMPLE } })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async read(@Param('contactId', uuid) contactId: string, @CurrentUser() user: AuthUser) {
    const record = await this.get.execute(contactId, user);
    // a text contact's record links to its transcript (GET records/:contactId/transcript)
    return { ...record, transcript: await this.transcriptLink.execute(contactId) };
  }

  @Put('records/:contactId')
  @ApiOperation({
    summary: 'Amend a record',
    description:
      'The whole record as it should read now (the body of POST /contacts/{id}/outcome without followUp, plus ' +
      'an optional reason and expectedVersion). The author may amend within 24 hours of recording, a supervisor ' +
      'at any time. The previous version is kept. A material-aid request still `requested` follows the new items.',
  })
  @ApiBody({ type: AmendRecordDto, examples: { amendment: { value: AMEND_EXAMPLE } } })
  @ApiOkResponse({ description: 'The record, with the new version', schema: { example: RECORD_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'Invalid record (the message names the fields)' })
  @ApiForbiddenResponse({ description: 'Not the author nor a supervisor, or the author after 24 hours' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({
    description: 'No record yet, expectedVersion is not the current one, or the aid request is already arranged',
  })
  change(@Param('contactId', uuid) contactId: string, @CurrentUser() user: AuthUser, @Body() dto: AmendRecordDto) {
    return this.amend.execute(contactId, user, dto);
  }

  @Post('records/:contactId/review')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark the current version reviewed, with a comment (supervisors)',
    description:
      'Four eyes: a supervisor may not review a record they recorded, nor one with a version they wrote since ' +
      'its last review (another supervisor reviews it).',
  })
  @ApiOkResponse({ schema: { example: RECORD_EXAMPLE } })
  @ApiForbiddenResponse({ description: 'Not a supervisor, or the record (or an unreviewed amendment) is yours' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'This version is already reviewed, or there is no record yet' })
  mark(@Param('contactId', uuid) contactId: string, @CurrentUser() user: AuthUser, @Body() dto: ReviewRecordDto) {
    return this.review.execute(contactId, user, dto);
  }

  @Get('contacts/:id/history')
  @ApiTags('contacts')
  @ApiOperation({
    summary: "The caller's earlier contacts",
    description:
      'For the operator offered or handling a contact (and anyone who may see it): the same caller’s earlier ' +
      'contacts (recognised by number) within your part of the organisation, newest first, with their open ' +
      'follow-ups and aid requests.',
  })
  @ApiOkResponse({ schema: { example: HISTORY_EXAMPLE } })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  callerHistory(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser, @Query() query: HistoryQuery) {
    return this.history.execute(id, user, query.limit ?? 20);
  }

  @Get('contacts/:id/caller-number')
  @ApiTags('contacts')
  @ApiOperation({
    summary: "The caller's full number, to call back (audited)",
    description:
      'Operators: for contacts they accepted (hold or held), follow up, or deliver aid for; not while a contact ' +
      'is only offered to them (ringing). Coordinators and supervisors: in their part of the organisation. Never ' +
      'managers or admins. `reason` is required; each read is written to the audit log with it.',
  })
  @ApiOkResponse({ schema: { example: CALLER_NUMBER_EXAMPLE } })
  @ApiBadRequestResponse({ description: '`reason` missing, blank, longer than 200 characters or with NUL' })
  @ApiForbiddenResponse({
    description: 'Your role may not read full numbers, or not of this contact (e.g. only offered to you)',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  fullNumber(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser, @Query() query: CallerNumberQuery) {
    return this.callerNumber.execute(id, user, query.reason);
  }
}
