import { Body, Get, Param, ParseBoolPipe, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { AdminController } from './admin-controller';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
} from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, IsUUID, Matches, ValidateIf } from 'class-validator';
import { CreateOrgUnit, ListAdminOrgUnits, ORG_UNIT_CODE_PATTERN, PARENT_LEVELS, UpdateOrgUnit } from '@kapok/admin';
import { AuthUser, CurrentUser } from '@kapok/auth';
import { IfPresent, IsName } from './admin.dto';

const CHILD_LEVELS = Object.keys(PARENT_LEVELS) as (keyof typeof PARENT_LEVELS)[];

const CODE_MESSAGE = 'code must be 1–40 letters, digits, ".", "_" or "-", starting with a letter or digit';

class CreateOrgUnitDto {
  @ApiProperty({ format: 'uuid', description: 'The unit it belongs to (a region: the city; a point: a station …)' })
  @IsUUID('all', { message: 'parentId must be a UUID' })
  parentId: string;

  @ApiProperty({
    enum: CHILD_LEVELS,
    description: 'region < city; district < region or city; station < district; point < station',
  })
  @IsIn(CHILD_LEVELS, { message: `level must be one of ${CHILD_LEVELS.join(', ')}` })
  level: (typeof CHILD_LEVELS)[number];

  @ApiProperty({ example: '北京街社工站' })
  @IsName()
  name: string;

  @ApiPropertyOptional({
    example: 'YX-BJJ',
    description: 'Unique (whatever its case); CSV imports refer to units by it',
  })
  @IfPresent()
  @IsString({ message: CODE_MESSAGE })
  @Matches(ORG_UNIT_CODE_PATTERN, { message: CODE_MESSAGE })
  code?: string;
}

class UpdateOrgUnitDto {
  @ApiPropertyOptional({ example: '北京街社工站' })
  @IfPresent()
  @IsName()
  name?: string;

  @ApiPropertyOptional({ example: 'YX-BJJ', nullable: true, description: 'null removes the code' })
  @ValidateIf((_: object, v: unknown) => v !== undefined && v !== null)
  @IsString({ message: CODE_MESSAGE })
  @Matches(ORG_UNIT_CODE_PATTERN, { message: CODE_MESSAGE })
  code?: string | null;

  @ApiPropertyOptional({ format: 'uuid', description: 'Moves the unit, with everything below it, under this unit' })
  @IfPresent()
  @IsUUID('all', { message: 'parentId must be a UUID' })
  parentId?: string;

  @ApiPropertyOptional({
    description:
      'true closes the unit (refused, 409, while lines, people or open units are attached); false reopens it',
  })
  @IfPresent()
  @IsBoolean({ message: 'closed must be true or false' })
  closed?: boolean;
}

const UNIT_EXAMPLE = {
  id: '6f1c2d7e-2b0a-4a55-9d61-3f1a8e1c0b11',
  name: '北京街社工站',
  level: 'station',
  parentId: '0b7f3c52-8d4e-4b0e-a3a2-77c9c1f0d5e2',
  code: 'YX-BJJ',
  closed: false,
  closedAt: null,
  attached: { openLines: 1, activePeople: 12, openUnits: 9 },
};

@AdminController('org-units')
export class AdminOrgController {
  constructor(
    private readonly list: ListAdminOrgUnits,
    private readonly create: CreateOrgUnit,
    private readonly update: UpdateOrgUnit,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The organisation tree you administer',
    description:
      'Every unit of your part of the tree (the whole tree for an admin at the city), parents before children, with ' +
      'its code, whether it is closed and what is attached to it.',
  })
  @ApiQuery({ name: 'includeClosed', required: false, type: Boolean, description: 'Default true' })
  @ApiOkResponse({ schema: { example: [UNIT_EXAMPLE] } })
  units(
    @CurrentUser() user: AuthUser,
    @Query('includeClosed', new ParseBoolPipe({ optional: true })) includeClosed?: boolean,
  ) {
    return this.list.execute(user, { includeClosed });
  }

  @Post()
  @ApiOperation({ summary: 'Add a region, district, station or 村(居) point below an open unit of the right level' })
  @ApiCreatedResponse({ schema: { example: UNIT_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'A field is wrong (named), or the parent is not of a level it may belong to' })
  @ApiNotFoundResponse({ description: 'parentId: no such unit' })
  @ApiConflictResponse({ description: 'The parent is closed, or the code is taken' })
  add(@CurrentUser() user: AuthUser, @Body() dto: CreateOrgUnitDto) {
    return this.create.execute(user, dto);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Rename, recode, move, close or reopen a unit',
    description:
      'Moving takes the whole subtree along (in one transaction). A unit is never deleted: closing keeps its ' +
      'history and is refused (409, naming them) while open lines, active people or open units are attached.',
  })
  @ApiOkResponse({ schema: { example: UNIT_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'No such unit in your part of the organisation' })
  @ApiConflictResponse({ description: 'Closing with something still attached (named), a closed parent, a taken code' })
  change(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateOrgUnitDto) {
    return this.update.execute(user, id, dto);
  }
}
