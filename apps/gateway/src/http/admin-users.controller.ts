import {
  Body,
  CallHandler,
  ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  NestInterceptor,
  Param,
  ParseBoolPipe,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
  UnsupportedMediaTypeException,
  UseInterceptors,
} from '@nestjs/common';
import { AdminController } from './admin-controller';
import { pageQuery } from './records.dto';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
} from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import type { Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { Observable } from 'rxjs';
import {
  CreateUser,
  DISPLAY_NAME_MAX,
  EXTENSION_PATTERN,
  ImportUsers,
  LIST_MAX,
  ListUsers,
  MAX_USER_IMPORT_ROWS,
  ResetPassword,
  USERNAME_PATTERN,
  UpdateUser,
} from '@kapok/admin';
import { AuthUser, CurrentUser, PASSWORD_RULES, ROLES, Role } from '@kapok/auth';
import { ROLE_UNIT_LEVELS, USER_CSV_COLUMNS } from '@kapok/contracts';
import { XLSX_MEDIA_TYPE, isCsv, isXlsx, readBodyBytes, readCsvBody } from './csv-body';

const uuid = new ParseUUIDPipe();

/** The largest users file read: 10,000 rows of a few Chinese names and codes (7,000 workers are about 500 KB). */
const USERS_FILE_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * Reads the users import's body after the guards (never before the caller is known), at most 2 MB: text/csv into
 * a string, an Excel workbook into a Buffer; anything else is left for the handler to refuse.
 */
@Injectable()
class UsersFileBodyInterceptor implements NestInterceptor {
  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<IncomingMessage & { body?: unknown }>();
    if (isCsv(req) && typeof req.body !== 'string') req.body = await readCsvBody(req, USERS_FILE_LIMIT_BYTES);
    else if (isXlsx(req) && !Buffer.isBuffer(req.body)) {
      req.body = await readBodyBytes(req, USERS_FILE_LIMIT_BYTES, 'the Excel file');
    }
    return next.handle();
  }
}

const levelsDoc = ROLES.map((r) => `${r}: ${ROLE_UNIT_LEVELS[r].join('/')}`).join('; ');
/** 'true' / 'false' → boolean (anything else stays and fails IsBoolean). */
const Bool = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

class CreateUserDto {
  @ApiProperty({ example: 'chen-xm', description: '2 to 64 letters, digits, ".", "_", "@", "-"; unique (any case)' })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 2 to 64 letters, digits, ".", "_", "@" or "-"' })
  username: string;

  @ApiProperty({ example: '陈晓明' })
  @IsString()
  @Length(1, DISPLAY_NAME_MAX)
  displayName: string;

  @ApiProperty({ enum: ROLES, description: `The home unit's level by role: ${levelsDoc}` })
  @IsIn(ROLES)
  role: Role;

  @ApiProperty({ format: 'uuid', description: 'The home unit (in your part of the organisation)' })
  @IsUUID()
  orgUnitId: string;

  @ApiPropertyOptional({
    description:
      `A password you choose (at least ${PASSWORD_RULES.minLength} characters, not containing the username, not a ` +
      'common one). Left out: a temporary password is generated and returned once.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  password?: string;

  @ApiPropertyOptional({ default: true, description: 'The person must change the password at first sign-in' })
  @IsOptional()
  @IsBoolean()
  mustChangePassword?: boolean;

  @ApiPropertyOptional({ type: [String], example: ['yue', 'cmn'], description: 'ISO 639 codes' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST_MAX)
  @IsString({ each: true })
  languages?: string[];

  @ApiPropertyOptional({ type: [String], example: ['psychological_support', 'elderly'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST_MAX)
  @IsString({ each: true })
  skills?: string[];

  @ApiPropertyOptional({ type: [String], description: "A supervisor's stations (in your part of the organisation)" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID(undefined, { each: true })
  supervisedStationIds?: string[];

  @ApiPropertyOptional({ example: '8021', description: 'Phone extension (分机号)' })
  @IsOptional()
  @IsString()
  @Matches(EXTENSION_PATTERN, { message: 'extension must be 1 to 20 digits (and * # + -)' })
  extension?: string;
}

class UpdateUserDto {
  @ApiPropertyOptional({ example: '陈晓明' })
  @IsOptional()
  @IsString()
  @Length(1, DISPLAY_NAME_MAX)
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  orgUnitId?: string;

  @ApiPropertyOptional({
    description:
      'false: deactivate (sessions end, sockets close within seconds, an open offer goes to the next operator; ' +
      'history kept). true: reactivate.',
  })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST_MAX)
  @IsString({ each: true })
  languages?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST_MAX)
  @IsString({ each: true })
  skills?: string[];

  @ApiPropertyOptional({ type: [String], description: "A supervisor's stations become exactly these" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID(undefined, { each: true })
  supervisedStationIds?: string[];

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null removes it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Matches(EXTENSION_PATTERN, { message: 'extension must be 1 to 20 digits (and * # + -)' })
  extension?: string | null;
}

class ListUsersQuery extends pageQuery({ maxPageSize: 200, defaultPageSize: 50 }) {
  @ApiPropertyOptional({ format: 'uuid', description: 'Accounts homed at this unit or below' })
  @IsOptional()
  @IsUUID()
  orgUnitId?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Bool()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Part of the username or display name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  // eslint-disable-next-line no-control-regex -- PostgreSQL refuses NUL in text
  @Matches(/^[^\u0000]*$/, { message: 'search must not contain NUL' })
  search?: string;

  filter() {
    return { orgUnitId: this.orgUnitId, role: this.role, active: this.active, search: this.search || undefined };
  }
}

const USER_EXAMPLE = {
  id: '6f1c2a8e-4b1d-4c0e-9a51-2f0b7d3e9c11',
  username: 'chen-xm',
  displayName: '陈晓明',
  role: 'operator',
  orgUnitId: '1b8f0e5c-3d2a-4f6b-8c7d-9e0a1b2c3d4e',
  orgUnitName: '越秀区北京街社工站',
  orgUnitCode: 'YX-BJJ',
  active: true,
  mustChangePassword: true,
  languages: ['yue', 'cmn'],
  skills: ['psychological_support'],
  supervisedStationIds: [],
  extension: '8021',
  createdAt: '2026-11-30T02:00:00.000Z',
  deactivatedAt: null,
  lastSignInAt: null,
};

@AdminController(
  'users',
  'Not an admin; a role or unit wider than your own (granting); or the password must be changed first',
)
export class AdminUsersController {
  constructor(
    private readonly createUser: CreateUser,
    private readonly updateUser: UpdateUser,
    private readonly resetPassword: ResetPassword,
    private readonly listUsers: ListUsers,
    private readonly importUsers: ImportUsers,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create an account',
    description:
      'With a role at a unit of your part of the organisation (never a role or unit wider than your own: 403). ' +
      `Levels by role: ${levelsDoc}. A supervisor may be given stations to supervise (all in your part). Without ` +
      'a password a temporary one is generated and returned once (`temporaryPassword`); the person must change ' +
      'the password at first sign-in (unless mustChangePassword: false).',
  })
  @ApiCreatedResponse({ schema: { example: { user: USER_EXAMPLE, temporaryPassword: 'k7Qm2xWp9RtA4e' } } })
  @ApiBadRequestResponse({ description: 'A field is invalid, or the password breaks the policy (named)' })
  @ApiNotFoundResponse({ description: 'The unit or a supervised station does not exist' })
  @ApiConflictResponse({ description: 'The username is taken, or the unit is closed' })
  create(@CurrentUser() admin: AuthUser, @Body() dto: CreateUserDto) {
    return this.createUser.execute(admin, dto);
  }

  @Get()
  @ApiOperation({
    summary: 'The accounts of your part of the organisation',
    description: 'Paged, by username; filters by unit (and below), role, active and a search in name and username.',
  })
  @ApiOkResponse({ schema: { example: { items: [USER_EXAMPLE], total: 1, page: 1, pageSize: 50 } } })
  @ApiNotFoundResponse({ description: 'orgUnitId is outside your part of the organisation' })
  list(@CurrentUser() admin: AuthUser, @Query() q: ListUsersQuery) {
    const { page, pageSize } = q.toPage();
    return this.listUsers.execute(admin, q.filter(), page, pageSize);
  }

  @Get('export')
  @ApiOperation({
    summary: 'Export the accounts as CSV',
    description:
      `The import's columns (${USER_CSV_COLUMNS.join(',')}; orgUnitCode is the unit's code, or its id when it has ` +
      'none), the same filters as the list; never a password. UTF-8 with BOM.',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    schema: {
      type: 'string',
      example: `${USER_CSV_COLUMNS.join(',')}\r\nchen-xm,陈晓明,operator,YX-BJJ,yue|cmn,elderly\r\n`,
    },
  })
  async export(
    @CurrentUser() admin: AuthUser,
    @Query() q: ListUsersQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const csv = await this.listUsers.exportCsv(admin, q.filter());
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="users.csv"');
    return csv;
  }

  @Post('import')
  // The file is read here, after the guards (never before the caller is known): at most 2 MB.
  @UseInterceptors(UsersFileBodyInterceptor)
  @ApiConsumes('text/csv', XLSX_MEDIA_TYPE)
  @ApiOperation({
    summary: 'Import accounts from CSV or Excel (all or nothing)',
    description:
      `Header ${USER_CSV_COLUMNS.join(',')} (languages and skills may be left out), lists separated by |; ` +
      'as text/csv (UTF-8) or as an Excel workbook (.xlsx: the first sheet, the same header row; rows are named ' +
      'by their row number). orgUnitCode is the unit code or id. Every row is checked first; any bad row → 400 naming each bad row by ' +
      'its line (duplicate or taken username, unknown/closed unit or one outside your part, role not yours to ' +
      `grant, role at the wrong level) and nothing is created. At most ${MAX_USER_IMPORT_ROWS} rows (more: 413). ` +
      'Each account gets a temporary password (returned once), or with ?password= the same initial password ' +
      '(hashed once); they must change it at first sign-in unless mustChange=false is also given (drills, tests).',
  })
  @ApiBody({
    schema: {
      type: 'string',
      example: `${USER_CSV_COLUMNS.join(',')}\nchen-xm,陈晓明,operator,YX-BJJ,yue|cmn,psychological_support|elderly\n`,
    },
  })
  @ApiQuery({ name: 'password', required: false, description: 'The same initial password for every account' })
  @ApiQuery({
    name: 'mustChange',
    required: false,
    type: Boolean,
    description: 'false: keep ?password= (default true)',
  })
  @ApiCreatedResponse({
    schema: { example: { created: 1, users: [{ username: 'chen-xm', temporaryPassword: 'k7Qm2xWp9RtA4e' }] } },
  })
  @ApiBadRequestResponse({ description: 'Bad rows (each named by its line), or a password that breaks the policy' })
  import(
    @CurrentUser() admin: AuthUser,
    @Body() body: unknown,
    @Query('password') password?: string,
    @Query('mustChange', new ParseBoolPipe({ optional: true })) mustChange?: boolean,
  ) {
    const file =
      typeof body === 'string'
        ? ({ format: 'csv', text: body } as const)
        : Buffer.isBuffer(body)
          ? ({ format: 'xlsx', data: body } as const)
          : undefined;
    if (!file) {
      throw new UnsupportedMediaTypeException(
        `the accounts must be sent as Content-Type: text/csv or ${XLSX_MEDIA_TYPE} (an Excel .xlsx workbook)`,
      );
    }
    return this.importUsers.execute(admin, file, {
      password: typeof password === 'string' ? password : undefined,
      mustChange,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One account of your part of the organisation' })
  @ApiOkResponse({ schema: { example: USER_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'No such account in your part of the organisation' })
  one(@CurrentUser() admin: AuthUser, @Param('id', uuid) id: string) {
    return this.listUsers.findOne(admin, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change an account (deactivate, reactivate)',
    description:
      'Name, role and unit (granted as on creation), languages, skills, supervised stations, extension, active. ' +
      'active: false keeps the account and its history, refuses its tokens at once and closes its sockets within ' +
      'seconds; an open offer goes to the next operator. You cannot change your own role or unit nor deactivate ' +
      'yourself (409).',
  })
  @ApiOkResponse({ schema: { example: USER_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'No such account in your part of the organisation (or the new unit unknown)' })
  @ApiConflictResponse({ description: 'The unit is closed; or a change of your own account that would lock you out' })
  update(@CurrentUser() admin: AuthUser, @Param('id', uuid) id: string, @Body() dto: UpdateUserDto) {
    return this.updateUser.execute(admin, id, dto);
  }

  @Post(':id/reset-password')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reset a password',
    description:
      'A new temporary password, returned once, to be changed at the next sign-in and working until expiresAt ' +
      '(TEMPORARY_PASSWORD_TTL_HOURS, default 72 h; then reset again); every session of the person ' +
      'ends at once.',
  })
  @ApiOkResponse({
    schema: { example: { temporaryPassword: 'k7Qm2xWp9RtA4e', expiresAt: '2026-12-06T08:00:00.000Z' } },
  })
  @ApiNotFoundResponse({ description: 'No such account in your part of the organisation' })
  @ApiConflictResponse({ description: 'The account is deactivated' })
  reset(@CurrentUser() admin: AuthUser, @Param('id', uuid) id: string) {
    return this.resetPassword.execute(admin, id);
  }
}
