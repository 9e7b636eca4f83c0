import {
  Body,
  Get,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  UnsupportedMediaTypeException,
  UseInterceptors,
} from '@nestjs/common';
import { AdminController } from './admin-controller';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
} from '@nestjs/swagger';
import { IsBoolean, IsString, IsUUID, Matches } from 'class-validator';
import {
  CreateHotline,
  HOTLINE_NUMBER_PATTERN,
  ImportHotlines,
  ListAdminHotlines,
  MAX_HOTLINE_ROWS,
  UpdateHotline,
} from '@kapok/admin';
import { AuthUser, CurrentUser } from '@kapok/auth';
import { IfPresent, IsName, Trim } from './admin.dto';
import { CsvBodyInterceptor } from './csv-body';

const NUMBER_MESSAGE = 'number must be 1–32 digits or letters (also + * # ( ) . -), no spaces';

class CreateHotlineDto {
  @ApiProperty({ example: '020-8100-0001', description: 'What gateways send as hotlineNumber; unique' })
  @Trim()
  @IsString({ message: NUMBER_MESSAGE })
  @Matches(HOTLINE_NUMBER_PATTERN, { message: NUMBER_MESSAGE })
  number: string;

  @ApiProperty({ example: '越秀区北京街热线' })
  @IsName()
  name: string;

  @ApiProperty({ format: 'uuid', description: 'An open station in your part of the organisation' })
  @IsUUID('all', { message: 'stationId must be a UUID' })
  stationId: string;
}

class UpdateHotlineDto {
  @ApiPropertyOptional({ example: '越秀区北京街热线' })
  @IfPresent()
  @IsName()
  name?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Moves the line to this station' })
  @IfPresent()
  @IsUUID('all', { message: 'stationId must be a UUID' })
  stationId?: string;

  @ApiPropertyOptional({ description: 'true suspends the line (its intake is refused, 409), false resumes it' })
  @IfPresent()
  @IsBoolean({ message: 'suspended must be true or false' })
  suspended?: boolean;
}

const LINE_EXAMPLE = {
  id: '2d0f5b8a-3c1e-4e8f-9a6b-1c2d3e4f5a6b',
  number: '020-8100-0001',
  name: '越秀区北京街热线',
  stationId: '6f1c2d7e-2b0a-4a55-9d61-3f1a8e1c0b11',
  stationName: '北京街社工站',
  stationCode: 'YX-BJJ',
  suspended: false,
  suspendedAt: null,
};

@AdminController('hotlines')
export class AdminHotlinesController {
  constructor(
    private readonly list: ListAdminHotlines,
    private readonly create: CreateHotline,
    private readonly update: UpdateHotline,
    private readonly importer: ImportHotlines,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The lines at stations you administer, by number' })
  @ApiOkResponse({ schema: { example: [LINE_EXAMPLE] } })
  lines(@CurrentUser() user: AuthUser) {
    return this.list.execute(user);
  }

  @Post()
  @ApiOperation({ summary: 'Add a line at an open station' })
  @ApiCreatedResponse({ schema: { example: LINE_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'A field is wrong (named), or stationId is not a station' })
  @ApiNotFoundResponse({ description: 'stationId: no such unit' })
  @ApiConflictResponse({ description: 'The number is already a line, or the station is closed' })
  add(@CurrentUser() user: AuthUser, @Body() dto: CreateHotlineDto) {
    return this.create.execute(user, dto);
  }

  @Post('import')
  // The CSV is read here, after the guards (never before the caller is known): at most 1 MB.
  @UseInterceptors(CsvBodyInterceptor)
  @ApiConsumes('text/csv')
  @ApiOperation({
    summary: 'Import lines from CSV, all or nothing',
    description:
      `Header number,stationCode,name (stationCode: the station's code, or its id); at most ${MAX_HOTLINE_ROWS} ` +
      'lines. Any bad row → 400 naming every bad row by its line in the file, and nothing is written.',
  })
  @ApiBody({
    schema: { type: 'string', example: 'number,stationCode,name\n020-8100-0001,YX-BJJ,越秀区北京街热线\n' },
  })
  @ApiCreatedResponse({ schema: { example: { created: 1, hotlines: [LINE_EXAMPLE] } } })
  @ApiBadRequestResponse({ description: 'Bad rows, each named: line N: what is wrong' })
  import(@CurrentUser() user: AuthUser, @Body() csv: unknown) {
    if (typeof csv !== 'string') {
      throw new UnsupportedMediaTypeException('the lines must be sent as Content-Type: text/csv');
    }
    return this.importer.execute(user, csv);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Rename a line, move it to another station, suspend or resume it',
    description: "A suspended line's intake (POST /api/contacts) is refused with 409 saying the line is suspended.",
  })
  @ApiOkResponse({ schema: { example: LINE_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'No such line in your part of the organisation' })
  @ApiConflictResponse({ description: 'The station is closed' })
  change(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateHotlineDto) {
    return this.update.execute(user, id, dto);
  }
}
