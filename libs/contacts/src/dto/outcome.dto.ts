import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDateString,
  IsDefined,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
  registerDecorator,
} from 'class-validator';

export const SERVICE_TYPES = [
  'psychological_support',
  'emotional_support',
  'material_aid',
  'policy_consultation',
  'resource_linking',
  'emergency_assistance',
  'referral',
] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
export const TARGET_GROUPS = ['elderly', 'children', 'disabled', 'low_income', 'mental_health', 'other'] as const;
export const RISK_ASSESSMENTS = ['none', 'low', 'medium', 'high', 'imminent'] as const;
export const AID_CATEGORIES = ['food', 'medicine', 'daily_necessities', 'other'] as const;
export const RESOLUTIONS = ['resolved', 'referred', 'unresolved'] as const;

export class PsychologicalDto {
  @ApiProperty({ enum: RISK_ASSESSMENTS })
  @IsIn(RISK_ASSESSMENTS)
  riskAssessment: (typeof RISK_ASSESSMENTS)[number];

  @ApiProperty({ example: ['active_listening'] })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  interventions: string[];
}

export class AidItemDto {
  @ApiProperty({ enum: AID_CATEGORIES })
  @IsIn(AID_CATEGORIES)
  category: (typeof AID_CATEGORIES)[number];

  @ApiProperty({ example: '大米 10kg' })
  @IsString()
  @Length(1, 500)
  description: string;

  @ApiProperty({ example: 1, description: 'Greater than 0' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1_000_000)
  quantity: number;
}

export class MaterialAidDto {
  @ApiProperty({ type: [AidItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AidItemDto)
  items: AidItemDto[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The station that delivers the items; by default the station of the line the contact came in on',
  })
  @IsOptional()
  @IsUUID('all')
  deliveringStationId?: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'basic_living' })
  @IsString()
  @Length(1, 100)
  category: string;

  @ApiProperty({ enum: RESOLUTIONS })
  @IsIn(RESOLUTIONS)
  resolution: (typeof RESOLUTIONS)[number];
}

/** A date-time later than now (the moment the request is validated). */
function IsInTheFuture(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isInTheFuture',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be in the future`, ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' && Date.parse(v) > Date.now() },
    });
}

/** An example due time that is always valid: 10:00 Shanghai time, a week after the API document is built. */
const DUE_AT_EXAMPLE = `${new Date(Date.now() + 8 * 3600_000 + 7 * 86_400_000).toISOString().slice(0, 10)}T10:00:00+08:00`;

export class FollowUpDto {
  @ApiProperty({ example: DUE_AT_EXAMPLE, description: 'When to call back; must be in the future' })
  @IsDateString({ strict: true })
  @IsInTheFuture()
  dueAt: string;

  @ApiProperty()
  @IsString()
  @MaxLength(2000)
  note: string;
}

export class OutcomeDto {
  @ApiProperty({ enum: SERVICE_TYPES, isArray: true })
  @IsArray()
  @ArrayMinSize(1, { message: 'serviceTypes must name at least one service type' })
  @ArrayUnique()
  @IsIn(SERVICE_TYPES, { each: true })
  serviceTypes: ServiceType[];

  @ApiProperty({ enum: TARGET_GROUPS })
  @IsIn(TARGET_GROUPS)
  targetGroup: (typeof TARGET_GROUPS)[number];

  @ApiProperty({ example: '来电老人独居，缺少米油，已安排街道送达。' })
  @IsString()
  @Length(1, 10000)
  summary: string;

  @ApiPropertyOptional({ type: PsychologicalDto, description: 'Required with psychological_support' })
  @ValidateIf((o: OutcomeDto) => o.psychological !== undefined || hasType(o, 'psychological_support'))
  @IsDefined({ message: 'psychological is required when serviceTypes includes psychological_support' })
  @IsObject()
  @ValidateNested()
  @Type(() => PsychologicalDto)
  psychological?: PsychologicalDto;

  @ApiPropertyOptional({ type: MaterialAidDto, description: 'Required with material_aid' })
  @ValidateIf((o: OutcomeDto) => o.materialAid !== undefined || hasType(o, 'material_aid'))
  @IsDefined({ message: 'materialAid is required when serviceTypes includes material_aid' })
  @IsObject()
  @ValidateNested()
  @Type(() => MaterialAidDto)
  materialAid?: MaterialAidDto;

  @ApiProperty({ type: [ProblemDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ProblemDto)
  problems: ProblemDto[];

  @ApiPropertyOptional({ type: FollowUpDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => FollowUpDto)
  followUp?: FollowUpDto;
}

function hasType(o: OutcomeDto, t: ServiceType): boolean {
  return Array.isArray(o.serviceTypes) && o.serviceTypes.includes(t);
}
