import { Body, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { AdminController } from './admin-controller';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
} from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsUUID, Max, Min } from 'class-validator';
import {
  DEFAULT_KEY_OVERLAP_SECONDS,
  IssueIntakeKey,
  ListIntakeKeys,
  MAX_KEY_OVERLAP_SECONDS,
  RevokeIntakeKey,
  RotateIntakeKey,
} from '@kapok/admin';
import { AuthUser, CurrentUser } from '@kapok/auth';
import { IfPresent, IsName } from './admin.dto';

class IssueIntakeKeyDto {
  @ApiProperty({ example: '越秀区电话网关', description: 'The gateway the key is for' })
  @IsName()
  name: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description:
      'The lines the key may take intake for (each in your part of the organisation). Absent: every line (admins of the whole organisation only)',
  })
  @IfPresent()
  @IsArray({ message: 'hotlineIds must be an array of line ids' })
  @ArrayMinSize(1, { message: 'hotlineIds must name at least one line (leave it out for every line)' })
  @ArrayMaxSize(1000, { message: 'hotlineIds must name at most 1000 lines' })
  @IsUUID('all', { each: true, message: 'hotlineIds must contain only UUIDs' })
  hotlineIds?: string[];
}

class RotateIntakeKeyDto {
  @ApiPropertyOptional({
    default: DEFAULT_KEY_OVERLAP_SECONDS,
    minimum: 0,
    maximum: MAX_KEY_OVERLAP_SECONDS,
    description: 'How long the key being replaced is still accepted (0: not at all)',
  })
  @IfPresent()
  @IsInt({ message: 'overlapSeconds must be a whole number of seconds' })
  @Min(0, { message: 'overlapSeconds must be at least 0' })
  @Max(MAX_KEY_OVERLAP_SECONDS, { message: `overlapSeconds must be at most ${MAX_KEY_OVERLAP_SECONDS} (a week)` })
  overlapSeconds?: number;
}

const KEY_EXAMPLE = {
  id: '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d',
  name: '越秀区电话网关',
  hotlineIds: ['2d0f5b8a-3c1e-4e8f-9a6b-1c2d3e4f5a6b'],
  createdAt: '2026-11-02T01:00:00.000Z',
  lastUsedAt: '2026-11-20T08:15:00.000Z',
  revoked: false,
  revokedAt: null,
  rotatedAt: null,
  previousKeyValidUntil: null,
};

@AdminController('intake-keys')
export class AdminKeysController {
  constructor(
    private readonly list: ListIntakeKeys,
    private readonly issue: IssueIntakeKey,
    private readonly revoke: RevokeIntakeKey,
    private readonly rotate: RotateIntakeKey,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The intake keys you administer, with when each was last used',
    description: 'Never the key nor its hash. Keys for every line are listed to admins of the whole organisation.',
  })
  @ApiOkResponse({ schema: { example: [KEY_EXAMPLE] } })
  keys(@CurrentUser() user: AuthUser) {
    return this.list.execute(user);
  }

  @Post()
  @ApiOperation({
    summary: 'Issue an intake key for a gateway (X-Api-Key)',
    description: 'The key is in this answer only: Kapok keeps only its SHA-256 digest.',
  })
  @ApiCreatedResponse({ schema: { example: { id: KEY_EXAMPLE.id, key: 'kpk_…' } } })
  @ApiNotFoundResponse({ description: 'hotlineIds: no such line' })
  add(@CurrentUser() user: AuthUser, @Body() dto: IssueIntakeKeyDto) {
    return this.issue.execute(user, dto);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an intake key: refused (401) from the next request on' })
  @ApiOkResponse({ schema: { example: { ...KEY_EXAMPLE, revoked: true, revokedAt: '2026-11-21T02:00:00.000Z' } } })
  @ApiNotFoundResponse({ description: 'No such key among those you administer' })
  remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.revoke.execute(user, id);
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace a key by a new one, the old one still accepted for an overlap',
    description:
      'Same id, lines and history; the new key is in this answer only. The key replaced is accepted until ' +
      'previousKeyValidUntil (overlapSeconds, default a day); rotating again ends an earlier overlap at once.',
  })
  @ApiOkResponse({
    schema: { example: { id: KEY_EXAMPLE.id, key: 'kpk_…', previousKeyValidUntil: '2026-11-22T02:00:00.000Z' } },
  })
  @ApiNotFoundResponse({ description: 'No such key among those you administer' })
  @ApiConflictResponse({ description: 'The key is revoked' })
  turn(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: RotateIntakeKeyDto) {
    return this.rotate.execute(user, id, dto.overlapSeconds);
  }
}
