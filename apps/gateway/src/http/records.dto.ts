import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidationOptions,
  registerDecorator,
} from 'class-validator';
import {
  CONTACT_STATUSES,
  OutcomeDto,
  RESOLUTIONS,
  RISK_ASSESSMENTS,
  RISK_LEVELS,
  SERVICE_TYPES,
  TARGET_GROUPS,
} from '@kapok/contacts';
import { RECORD_FOLLOW_UP_FILTERS, RecordFollowUpFilter } from '@kapok/contracts';
import {
  AID_STATUSES,
  AUDIT_ACTIONS,
  AidFilter,
  AidStatus,
  AuditFilter,
  CALLER_NUMBER_REASON_MAX,
  FOLLOW_UP_STATUSES,
  FollowUpFilter,
  FollowUpStatus,
  OPEN_AID_STATUSES,
  OPEN_FOLLOW_UP_STATUSES,
  RECORD_SORTS,
  RecordFilter,
  RecordSort,
} from '@kapok/records';
import { parseRangeBound } from '@kapok/common';

/** `a,b` or repeated `?x=a&x=b` → ['a', 'b']. */
export const List = () =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value,
  );
/** 'true' / 'false' → boolean (anything else stays and fails IsBoolean). */
const Bool = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/** A date range bound: YYYY-MM-DD (Asia/Shanghai day) or an ISO 8601 date-time with offset. */
export function IsRangeBound(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isRangeBound',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be a date (YYYY-MM-DD) or an ISO 8601 date-time with offset`,
        ...options,
      },
      validator: { validate: (v: unknown) => typeof v === 'string' && parseRangeBound(v, false) !== undefined },
    });
}

/** Query strings are not inspected like bodies: PostgreSQL refuses NUL in text. */
// eslint-disable-next-line no-control-regex
const NO_NUL = /^[^\u0000]*$/;

export const bound = (v: string | undefined, upper: boolean) =>
  v === undefined ? undefined : parseRangeBound(v, upper);

/**
 * The paging of a list route: `page` and `pageSize` (at most `maxPageSize`, `defaultPageSize` when left out).
 * Extend `pageQuery()` with a list's own limits, or PageQuery for the usual ones (20, at most 100).
 */
export function pageQuery({ maxPageSize = 100, defaultPageSize = 20 } = {}) {
  class Paged {
    @ApiPropertyOptional({ minimum: 1, default: 1 })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(100000)
    page?: number;

    @ApiPropertyOptional({ minimum: 1, maximum: maxPageSize, default: defaultPageSize })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxPageSize)
    pageSize?: number;

    protected paging() {
      return { page: this.page ?? 1, pageSize: this.pageSize ?? defaultPageSize };
    }

    /** The page asked for, with the defaults. */
    toPage() {
      return this.paging();
    }
  }
  return Paged;
}

export class PageQuery extends pageQuery() {}

export class ListRecordsQuery extends PageQuery {
  @ApiPropertyOptional({
    example: '2026-11-01',
    description: 'Contacts that came in from this day (Asia/Shanghai) or instant',
  })
  @IsOptional()
  @IsRangeBound()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Up to this day, inclusive (or before this instant)' })
  @IsOptional()
  @IsRangeBound()
  to?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only stations under this org unit (a station, district, region …)',
  })
  @IsOptional()
  @IsUUID('all')
  orgUnitId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The operator who handled / recorded the contact' })
  @IsOptional()
  @IsUUID('all')
  operatorId?: string;

  @ApiPropertyOptional({
    example: 'completed',
    description: `Contact status, comma-separated: ${CONTACT_STATUSES.join(', ')}`,
  })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(10)
  @IsIn(CONTACT_STATUSES, { each: true })
  status?: string[];

  @ApiPropertyOptional({ example: 'material_aid,psychological_support', description: 'Any of these service types' })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(10)
  @IsIn(SERVICE_TYPES, { each: true })
  serviceType?: string[];

  @ApiPropertyOptional({
    example: 'high,imminent',
    description: `The record's risk assessment: ${RISK_ASSESSMENTS.join(', ')}`,
  })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(10)
  @IsIn(RISK_ASSESSMENTS, { each: true })
  riskAssessment?: string[];

  @ApiPropertyOptional({
    example: 'critical',
    description: `The contact's risk level at intake: ${RISK_LEVELS.join(', ')}`,
  })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(10)
  @IsIn(RISK_LEVELS, { each: true })
  riskLevel?: string[];

  @ApiPropertyOptional({ description: 'High risk: assessed high or imminent, or a high or critical contact' })
  @IsOptional()
  @Bool()
  @IsBoolean()
  highRisk?: boolean;

  @ApiPropertyOptional({ example: 'elderly', description: TARGET_GROUPS.join(', ') })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(10)
  @IsIn(TARGET_GROUPS, { each: true })
  targetGroup?: string[];

  @ApiPropertyOptional({ description: 'Whether the current version of the record has been reviewed' })
  @IsOptional()
  @Bool()
  @IsBoolean()
  reviewed?: boolean;

  @ApiPropertyOptional({ enum: RECORD_FOLLOW_UP_FILTERS, description: "The record's follow-up" })
  @IsOptional()
  @IsIn(RECORD_FOLLOW_UP_FILTERS)
  followUp?: RecordFollowUpFilter;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'With an open follow-up due by then (day inclusive)' })
  @IsOptional()
  @IsRangeBound()
  followUpDueBefore?: string;

  @ApiPropertyOptional({ example: 'unresolved', description: `With a problem resolved so: ${RESOLUTIONS.join(', ')}` })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(RESOLUTIONS, { each: true })
  problemResolution?: string[];

  @ApiPropertyOptional({
    example: 'requested,arranged',
    description: `With a material-aid request: ${AID_STATUSES.join(', ')}`,
  })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(4)
  @IsIn(AID_STATUSES, { each: true })
  aidStatus?: string[];

  @ApiPropertyOptional({ example: '米', description: 'Text in the summary' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(NO_NUL, { message: 'q must not contain NUL characters' })
  q?: string;

  @ApiPropertyOptional({
    enum: RECORD_SORTS,
    default: '-queuedAt',
    description: '`-` for newest first; `risk`: unreviewed high-risk first, then by risk, oldest first',
  })
  @IsOptional()
  @IsIn(RECORD_SORTS)
  sort?: RecordSort;

  toFilter(): RecordFilter {
    return {
      from: bound(this.from, false),
      to: bound(this.to, true),
      orgUnitId: this.orgUnitId,
      operatorId: this.operatorId,
      status: this.status,
      serviceType: this.serviceType,
      riskAssessment: this.riskAssessment,
      riskLevel: this.riskLevel,
      highRisk: this.highRisk,
      targetGroup: this.targetGroup,
      reviewed: this.reviewed,
      followUp: this.followUp,
      followUpDueBefore: bound(this.followUpDueBefore, true),
      problemResolution: this.problemResolution,
      aidStatus: this.aidStatus,
      q: this.q,
      sort: this.sort,
      ...this.paging(),
    };
  }
}

export class ReviewQueueQuery extends PageQuery {}

/** An amendment: the whole record as it should read now (as in POST /contacts/:id/outcome, without followUp). */
export class AmendRecordDto extends OmitType(OutcomeDto, ['followUp'] as const) {
  @ApiPropertyOptional({
    example: '补充：已联系街道确认送达地址',
    description: 'Why the record is changed (kept with the version)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  reason?: string;

  @ApiPropertyOptional({ example: 1, description: 'The version this change is based on: 409 if the record moved on' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class ReviewRecordDto {
  @ApiPropertyOptional({
    example: '风险评估合理，回访安排及时。',
    description: "The supervisor's comment: optional; when given, not blank",
  })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'comment must not be blank' })
  @Length(1, 2000)
  comment?: string;

  @ApiPropertyOptional({ example: 1, description: 'The version reviewed: 409 if the record moved on' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class HistoryQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}

export class CallerNumberQuery {
  @ApiProperty({
    example: '回访：确认物资已送达',
    maxLength: CALLER_NUMBER_REASON_MAX,
    description: 'Why the number is read (required, not blank; kept in the audit log)',
  })
  @IsString({ message: 'reason is required: why the full number is read (kept in the audit log)' })
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(CALLER_NUMBER_REASON_MAX)
  @Matches(NO_NUL, { message: 'reason must not contain NUL characters' })
  reason: string;
}

export class ListAidQuery extends PageQuery {
  @ApiPropertyOptional({
    example: 'open',
    description: `Comma-separated: ${AID_STATUSES.join(', ')}, or open (= requested,arranged; the default) or all`,
  })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(5)
  @IsIn([...AID_STATUSES, 'open', 'all'], { each: true })
  status?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Only requests delivered by stations under this org unit' })
  @IsOptional()
  @IsUUID('all')
  orgUnitId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  contactId?: string;

  @ApiPropertyOptional({ description: 'Only overdue (true) or not overdue (false) requests' })
  @IsOptional()
  @Bool()
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({
    enum: ['requestedAt', '-requestedAt'],
    default: 'requestedAt',
    description: 'Oldest first by default',
  })
  @IsOptional()
  @IsIn(['requestedAt', '-requestedAt'])
  sort?: 'requestedAt' | '-requestedAt';

  toFilter(): AidFilter {
    const s = this.status ?? ['open'];
    const status = s.includes('all')
      ? undefined
      : [...new Set(s.flatMap((x) => (x === 'open' ? OPEN_AID_STATUSES : [x as AidStatus])))];
    return {
      status,
      orgUnitId: this.orgUnitId,
      contactId: this.contactId,
      overdue: this.overdue,
      sort: this.sort,
      ...this.paging(),
    };
  }
}

export class AidStepDto {
  @ApiPropertyOptional({ example: '已联系街道，明天上午由社工送达', description: 'A note kept with the step' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class AidCancelDto {
  @ApiProperty({ example: '来电者已从亲属处获得物资，不再需要' })
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @Length(1, 1000)
  reason: string;
}

export class ListFollowUpsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'An operator id, or `me`' })
  @IsOptional()
  @Matches(/^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, {
    message: 'workerId must be a UUID or "me"',
  })
  workerId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only follow-ups of stations under this org unit' })
  @IsOptional()
  @IsUUID('all')
  orgUnitId?: string;

  @ApiPropertyOptional({
    example: 'open',
    description: `Comma-separated: ${FOLLOW_UP_STATUSES.join(', ')}, or open (the default) or all`,
  })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(5)
  @IsIn([...FOLLOW_UP_STATUSES, 'open', 'all'], { each: true })
  status?: string[];

  @ApiPropertyOptional({ description: 'Only overdue (true) or not overdue (false) follow-ups' })
  @IsOptional()
  @Bool()
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'Due by then (day inclusive)' })
  @IsOptional()
  @IsRangeBound()
  dueBefore?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The follow-up of this contact' })
  @IsOptional()
  @IsUUID('all')
  sourceContactId?: string;

  toFilter(me: string): FollowUpFilter {
    const s = this.status ?? ['open'];
    const status = s.includes('all')
      ? undefined
      : [...new Set(s.flatMap((x) => (x === 'open' ? OPEN_FOLLOW_UP_STATUSES : [x as FollowUpStatus])))];
    return {
      workerId: this.workerId === 'me' ? me : this.workerId,
      orgUnitId: this.orgUnitId,
      status,
      overdue: this.overdue,
      dueBefore: bound(this.dueBefore, true),
      sourceContactId: this.sourceContactId,
      ...this.paging(),
    };
  }
}

export class CompleteFollowUpDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The contact in which the follow-up was made; defaults to the outbound contact created for it',
  })
  @IsOptional()
  @IsUUID('all')
  contactId?: string;

  @ApiPropertyOptional({ example: '已回访，老人情绪稳定，物资已收到' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  contactId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A record, aid request or follow-up id' })
  @IsOptional()
  @IsUUID('all')
  subjectId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  actorId?: string;

  @ApiPropertyOptional({ example: 'caller_number.read', description: `Comma-separated: ${AUDIT_ACTIONS.join(', ')}` })
  @IsOptional()
  @List()
  @IsArray()
  @ArrayMaxSize(10)
  @IsIn(AUDIT_ACTIONS, { each: true })
  action?: string[];

  @ApiPropertyOptional({ example: '2026-11-01' })
  @IsOptional()
  @IsRangeBound()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Day inclusive' })
  @IsOptional()
  @IsRangeBound()
  to?: string;

  toFilter(): AuditFilter {
    return {
      contactId: this.contactId,
      subjectId: this.subjectId,
      actorId: this.actorId,
      action: this.action,
      from: bound(this.from, false),
      to: bound(this.to, true),
      ...this.paging(),
    };
  }
}
