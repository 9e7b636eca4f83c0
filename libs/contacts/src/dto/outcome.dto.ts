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
} from 'class-validator';
import { SHANGHAI_OFFSET, addMonths, shanghaiToday } from '@kapok/common';
import {
  AID_CATEGORIES,
  AidCategory,
  OutcomeAidItem,
  OutcomeBody,
  OutcomeFollowUp,
  OutcomeMaterialAid,
  OutcomeProblem,
  OutcomePsychological,
  RESOLUTIONS,
  RISK_ASSESSMENTS,
  Resolution,
  RiskAssessment,
  SERVICE_TYPES,
  ServiceType,
  TARGET_GROUPS,
  TargetGroup,
} from '@kapok/contracts';

// The codes are shared with the console (@kapok/contracts); the classes below validate a body of that shape.
export { AID_CATEGORIES, RESOLUTIONS, RISK_ASSESSMENTS, SERVICE_TYPES, TARGET_GROUPS } from '@kapok/contracts';
export type { ServiceType } from '@kapok/contracts';

export class PsychologicalDto implements OutcomePsychological {
  @ApiProperty({ enum: RISK_ASSESSMENTS })
  @IsIn(RISK_ASSESSMENTS)
  riskAssessment: RiskAssessment;

  @ApiProperty({ example: ['active_listening'] })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  interventions: string[];
}

export class AidItemDto implements OutcomeAidItem {
  @ApiProperty({ enum: AID_CATEGORIES })
  @IsIn(AID_CATEGORIES)
  category: AidCategory;

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

export class MaterialAidDto implements OutcomeMaterialAid {
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

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description:
      'The 村(居) point (org unit of level `point`, open) of the delivering station that delivers the items. Given ' +
      'without deliveringStationId, the point’s station delivers. In an amendment, left out: the record keeps its ' +
      'point while the delivering station stays the same; null: no point',
  })
  @IsOptional()
  @IsUUID('all')
  deliveringPointId?: string | null;
}

export class ProblemDto implements OutcomeProblem {
  @ApiProperty({ example: 'basic_living' })
  @IsString()
  @Length(1, 100)
  category: string;

  @ApiProperty({ enum: RESOLUTIONS })
  @IsIn(RESOLUTIONS)
  resolution: Resolution;
}

/**
 * An example due time for the API document: 10:00 Shanghai time on the first day of a month well after the document
 * is built (an example read from the wall clock, not a decision). Being in the future is checked by RecordOutcome
 * against the Clock: validation has no clock.
 */
const DUE_AT_EXAMPLE = `${addMonths(shanghaiToday(new Date()), 2)}T10:00:00${SHANGHAI_OFFSET}`;

export class FollowUpDto implements OutcomeFollowUp {
  @ApiProperty({ example: DUE_AT_EXAMPLE, description: 'When to call back; must be in the future' })
  @IsDateString({ strict: true })
  dueAt: string;

  @ApiProperty()
  @IsString()
  @MaxLength(2000)
  note: string;
}

export class OutcomeDto implements OutcomeBody {
  @ApiProperty({ enum: SERVICE_TYPES, isArray: true })
  @IsArray()
  @ArrayMinSize(1, { message: 'serviceTypes must name at least one service type' })
  @ArrayUnique()
  @IsIn(SERVICE_TYPES, { each: true })
  serviceTypes: ServiceType[];

  @ApiProperty({ enum: TARGET_GROUPS })
  @IsIn(TARGET_GROUPS)
  targetGroup: TargetGroup;

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
