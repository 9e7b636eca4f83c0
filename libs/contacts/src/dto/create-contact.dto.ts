import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { CHANNELS, Channel, CreateContactBody, RISK_LEVELS, RiskLevel } from '@kapok/contracts';

export class CreateContactDto implements CreateContactBody {
  @ApiProperty({ example: '020-8100-0001', description: 'The hotline line the contact came in on' })
  @IsString()
  @Length(1, 32)
  hotlineNumber: string;

  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel: Channel;

  @ApiPropertyOptional({ example: '13812345678', description: 'Stored only masked and as a keyed hash' })
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9][0-9 -]{2,30}$/, { message: 'callerNumber must be a phone number (digits, spaces, dashes)' })
  callerNumber?: string;

  @ApiPropertyOptional({
    example: 'pbx-7781-2026',
    description: 'The gateway’s own id: a retry with it returns the same contact',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  externalId?: string;

  @ApiPropertyOptional({ example: 'yue', description: 'ISO 639-3 (yue 粤语, cmn 普通话) or a BCP 47 tag' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, { message: 'language must be a language code such as yue or cmn' })
  language?: string;

  @ApiPropertyOptional({ example: ['material_aid', 'elderly'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  topics?: string[];

  @ApiPropertyOptional({ enum: RISK_LEVELS, default: 'normal' })
  @IsOptional()
  @IsIn(RISK_LEVELS)
  riskLevel?: RiskLevel;
}
