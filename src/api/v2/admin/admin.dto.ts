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
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name!: string;

  @IsIn(['tester', 'admin'])
  role!: UserRole;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  groups?: string[];

  @IsOptional()
  @IsInt()
  @Min(HIGHEST_PRIORITY)
  @Max(LOWEST_PRIORITY)
  bestPriority?: number;
}

export class UpdateUserDto {
  @IsOptional()
  @IsIn(['tester', 'admin'])
  role?: UserRole;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  groups?: string[];

  @IsOptional()
  @IsInt()
  @Min(HIGHEST_PRIORITY)
  @Max(LOWEST_PRIORITY)
  bestPriority?: number;
}

export class CreateTokenDto {
  /** What the token is for ("gitlab-ci", "laptop"). */
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  label!: string;

  /** RFC 3339; none = never expires. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;
}

export class CreateAgentTokenDto extends CreateTokenDto {
  /** The worker it speaks for; none = bound to the first worker that registers with it. */
  @IsOptional()
  @IsUUID()
  workerUuid?: string;
}
