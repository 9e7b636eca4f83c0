import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { AuthUser, CurrentUser, UserAuthGuard } from '@kapok/auth';
import type { ChatSessionBody } from '@kapok/contracts';
import { ReadTranscript, StartChatSession, StationQuickRepliesUseCase, TransferContact } from '@kapok/conversations';
import { ChatSessionThrottleGuard } from '@kapok/throttle';

const uuid = new ParseUUIDPipe();

export class ChatSessionDto implements ChatSessionBody {
  @ApiProperty({ example: '020-8100-0001', description: 'The line (热线) the person writes to' })
  @IsString()
  @Length(1, 32)
  hotlineNumber: string;

  @ApiPropertyOptional({ example: 'yue', description: 'ISO 639-3 (yue 粤语, cmn 普通话) or a BCP 47 tag' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, { message: 'language must be a language code such as yue or cmn' })
  language?: string;

  @ApiPropertyOptional({ example: ['psychological_support'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  topics?: string[];
}

/**
 * Conversations of text contacts (docs/conversations.md): the web chat's session (no sign-in), transfers of any
 * contact by its operator, and a text contact's transcript within the records' access policy.
 */
@ApiTags('conversations')
@Controller()
export class ConversationsController {
  constructor(
    private readonly start: StartChatSession,
    private readonly transfer: TransferContact,
    private readonly transcript: ReadTranscript,
    private readonly quickReplies: StationQuickRepliesUseCase,
  ) {}

  @Post('chat/sessions')
  @UseGuards(ChatSessionThrottleGuard)
  @ApiOperation({
    summary: 'Start a web chat (no sign-in)',
    description:
      'Queues a `chat` contact on the line and opens its conversation. The resumeToken is the only key to it: the ' +
      "browser keeps it and connects `io(url + '/chat', { auth: { resumeToken } })`. Rate-limited per address.",
  })
  @ApiCreatedResponse({ description: '{ conversationId, contactId, resumeToken }' })
  @ApiBadRequestResponse({ description: 'A field is invalid (the message names it)' })
  @ApiNotFoundResponse({ description: 'Unknown hotlineNumber' })
  @ApiConflictResponse({ description: 'The line is suspended' })
  @ApiTooManyRequestsResponse({ description: 'Too many sessions from this address: see Retry-After' })
  startSession(@Body() dto: ChatSessionDto) {
    return this.start.execute(dto);
  }

  @Post('contacts/:id/transfer')
  @HttpCode(200)
  @UseGuards(UserAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Transfer a contact (its operator)',
    description:
      '`{ "to": { "userId" } | { "orgUnitId" } | { "supervisor": true }, "note"? }`: the contact goes back to ' +
      '`queued` with its queuedAt unchanged, for that target only until someone accepts it. The note travels ' +
      'with it (the offer shows it); a text contact keeps its whole conversation.',
  })
  @ApiOkResponse({ description: 'The contact, queued' })
  @ApiBadRequestResponse({ description: 'No or an unknown target, or the note is too long (the message says which)' })
  @ApiForbiddenResponse({ description: 'Not the operator handling this contact' })
  @ApiNotFoundResponse({ description: 'Unknown id, or outside your part of the organisation' })
  @ApiConflictResponse({ description: 'The contact is not active' })
  transferContact(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser, @Body() body: unknown) {
    return this.transfer.execute(id, user, body);
  }

  @Get('records/:contactId/transcript')
  @UseGuards(UserAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: "A text contact's transcript",
    description:
      'Every message (whispers included) and transfer, within the records’ access policy. A read by anyone other ' +
      'than the conversation’s own operator is written to the audit log (`transcript.read`). After the retention ' +
      'period the texts are empty and purgedAt is set.',
  })
  @ApiOkResponse({ description: '{ contactId, conversationId, purgedAt, messages, transfers }' })
  @ApiNotFoundResponse({ description: 'Unknown, outside your part of the organisation, or not a text contact' })
  readTranscript(@Param('contactId', uuid) contactId: string, @CurrentUser() user: AuthUser) {
    return this.transcript.execute(contactId, user);
  }

  @Get('stations/:stationId/quick-replies')
  @UseGuards(UserAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: "A station's 常用语 (quick replies for text conversations)",
    description:
      'The defaults (`custom: false`) until the station sets its own. Anyone whose part of the tree holds it.',
  })
  @ApiOkResponse({ description: '{ stationId, phrases, custom, updatedAt, updatedBy }' })
  @ApiNotFoundResponse({ description: 'Unknown station, or outside your part of the organisation' })
  getQuickReplies(@Param('stationId', uuid) stationId: string, @CurrentUser() user: AuthUser) {
    return this.quickReplies.get(user, stationId);
  }

  @Put('stations/:stationId/quick-replies')
  @UseGuards(UserAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: "Set a station's 常用语",
    description:
      '`{ "phrases": [..] }` (at most 50, each at most 300 characters; trimmed, empty ones and repeats dropped) for ' +
      'every workstation of the station; `{ "phrases": null }` returns to the defaults. The station\'s coordinators ' +
      'and admins.',
  })
  @ApiOkResponse({ description: 'The station’s phrases as now kept' })
  @ApiBadRequestResponse({ description: 'Not a list of strings, too many, or one too long (the message says which)' })
  @ApiForbiddenResponse({ description: 'Not a coordinator or admin' })
  @ApiNotFoundResponse({ description: 'Unknown station, or outside your part of the organisation' })
  putQuickReplies(@Param('stationId', uuid) stationId: string, @CurrentUser() user: AuthUser, @Body() body: unknown) {
    return this.quickReplies.set(user, stationId, body);
  }
}
