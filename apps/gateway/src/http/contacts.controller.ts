import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import {
  AuthUser,
  CurrentIntakeKey,
  CurrentUser,
  IntakeKeyGuard,
  IntakeKeyOrUserGuard,
  IntakeKeyPrincipal,
  Roles,
  UserAuthGuard,
} from '@kapok/auth';
import {
  AbandonContact,
  ContactActor,
  CreateContactDto,
  EndContact,
  GetContact,
  OutcomeDto,
  ReceiveContact,
  RecordOutcome,
} from '@kapok/contacts';
import { ReclaimContact } from '@kapok/routing';
import { IntakeThrottleGuard } from '@kapok/throttle';

import { AcceptingIntakeGuard } from '../shutdown/accepting-intake.guard';

// Any UUID (ids are UUIDs; not only v4): a well-formed id that does not exist is 404, not 400.
const uuid = new ParseUUIDPipe();

@ApiTags('contacts')
@Controller('contacts')
export class ContactsController {
  constructor(
    private readonly receive: ReceiveContact,
    private readonly get: GetContact,
    private readonly abandon: AbandonContact,
    private readonly end: EndContact,
    private readonly outcome: RecordOutcome,
    private readonly reclaimContact: ReclaimContact,
  ) {}

  @Post()
  @UseGuards(AcceptingIntakeGuard, IntakeKeyGuard, IntakeThrottleGuard)
  @ApiSecurity('intake-key')
  @ApiHeader({ name: 'X-Api-Key', required: true })
  @ApiCreatedResponse({ description: 'A new contact, queued' })
  @ApiTooManyRequestsResponse({
    description: "Over the intake key's rate (INTAKE_REQUESTS_PER_SECOND): see Retry-After",
  })
  @ApiServiceUnavailableResponse({
    description: 'This gateway is shutting down, or the database is unreachable: send it again after Retry-After',
  })
  @ApiOkResponse({ description: 'The same externalId again: the contact created the first time' })
  @ApiNotFoundResponse({ description: 'Unknown hotlineNumber' })
  @ApiForbiddenResponse({ description: "The line is not one of the intake key's lines" })
  @ApiConflictResponse({ description: 'The line is suspended (the message says so): it takes no intake until resumed' })
  async create(
    @CurrentIntakeKey() key: IntakeKeyPrincipal,
    @Body() dto: CreateContactDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { contact, created } = await this.receive.execute(key.id, dto, key.hotlineIds);
    res.status(created ? 201 : 200);
    return contact;
  }

  @Get(':id')
  @UseGuards(UserAuthGuard)
  @ApiBearerAuth()
  @ApiNotFoundResponse({ description: 'Unknown id, or outside your part of the organisation' })
  read(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser) {
    return this.get.execute(id, { kind: 'user', user });
  }

  @Post(':id/abandon')
  @HttpCode(200)
  @UseGuards(IntakeKeyGuard, IntakeThrottleGuard)
  @ApiSecurity('intake-key')
  @ApiOkResponse({ description: 'The caller left while waiting' })
  @ApiConflictResponse({ description: 'Already answered' })
  leave(@Param('id', uuid) id: string, @CurrentIntakeKey() key: IntakeKeyPrincipal) {
    return this.abandon.execute(id, key.id);
  }

  @Post(':id/end')
  @HttpCode(200)
  @UseGuards(IntakeKeyOrUserGuard, IntakeThrottleGuard)
  @ApiSecurity('intake-key')
  @ApiBearerAuth()
  @ApiOkResponse({ description: 'The conversation ended: wrap_up' })
  @ApiConflictResponse({ description: 'Not answered yet' })
  finish(
    @Param('id', uuid) id: string,
    @CurrentIntakeKey() key: IntakeKeyPrincipal | undefined,
    @CurrentUser() user: AuthUser | undefined,
  ) {
    const actor: ContactActor = key ? { kind: 'intake', intakeKeyId: key.id } : { kind: 'user', user: user! };
    return this.end.execute(id, actor);
  }

  @Post(':id/outcome')
  @UseGuards(UserAuthGuard)
  @ApiBearerAuth()
  @ApiCreatedResponse({ description: '{ contactId, status: "completed", completedAt, outcome }' })
  @ApiConflictResponse({ description: 'Outcome already recorded, or the contact is not answered' })
  record(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser, @Body() dto: OutcomeDto) {
    return this.outcome.execute(id, user, dto);
  }

  @Post(':id/reclaim')
  @HttpCode(200)
  @UseGuards(UserAuthGuard)
  @Roles('coordinator', 'supervisor', 'manager', 'admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: "Let go of a contact whose operator's console is lost (coordinators)",
    description:
      'An active contact whose operator has no socket connected goes back in line, keeping its place, for another ' +
      'operator. A phone contact is never taken from its operator otherwise (the call goes on on the phone network): ' +
      'the live snapshot lists such contacts (consoleLostContacts) and `agent:console-lost` reports them.',
  })
  @ApiOkResponse({ description: 'The contact, queued again' })
  @ApiNotFoundResponse({ description: 'Unknown id, or outside your part of the organisation' })
  @ApiConflictResponse({ description: 'Not active, or its operator is connected' })
  reclaim(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser) {
    return this.reclaimContact.execute(id, user);
  }
}
