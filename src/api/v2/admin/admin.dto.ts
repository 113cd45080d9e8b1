import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import type { UserRole } from '../../../auth/actor';
import { HIGHEST_PRIORITY, LOWEST_PRIORITY } from '../../../common/priority';

export class CreateUserDto {
  @ApiProperty({ maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name!: string;

  @ApiProperty({ enum: ['tester', 'admin'] })
  @IsIn(['tester', 'admin'])
  role!: UserRole;

  @ApiPropertyOptional({ type: [String], description: 'Worker groups their requests may use.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  groups?: string[];

  @ApiPropertyOptional({
    minimum: HIGHEST_PRIORITY,
    maximum: LOWEST_PRIORITY,
    description: 'The best priority they may ask for.',
  })
  @IsOptional()
  @IsInt()
  @Min(HIGHEST_PRIORITY)
  @Max(LOWEST_PRIORITY)
  bestPriority?: number;
}

/** Every field of a new user but its name (names are for good), each optional. */
export class UpdateUserDto extends PartialType(OmitType(CreateUserDto, ['name'] as const)) {}

export class CreateTokenDto {
  /** What the token is for ("gitlab-ci", "laptop"). */
  @ApiProperty({ maxLength: 255, example: 'gitlab-ci' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  label!: string;

  /** RFC 3339; none = never expires. */
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'None: never expires.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;
}

export class CreateAgentTokenDto extends CreateTokenDto {
  /** The worker it speaks for; none = bound to the first worker that registers with it. */
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'None: bound to the first worker that registers with it.',
  })
  @IsOptional()
  @IsUUID()
  workerUuid?: string;
}
