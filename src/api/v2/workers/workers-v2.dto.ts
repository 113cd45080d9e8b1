import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { DEFAULT_PAGE_LIMIT } from '../../../common/list-query';
import {
  MAINTENANCE_MESSAGE_PATTERN,
  MAX_MAINTENANCE_MESSAGE_LENGTH,
} from '../../../workers/maintenance-order';
import { Paged } from '../common/paged-query.dto';

/** `GET /api/v2/workers` filters. */
class WorkerListFilters {
  @ApiPropertyOptional({
    description: 'States, comma-separated (any of them)',
    example: 'IDLE,RUNNING',
  })
  @IsOptional()
  @IsString()
  state?: string;

  @ApiPropertyOptional({
    description: 'Caps the worker must have, `key=value` comma-separated (all of them)',
    example: 'board=rpi4,arch=arm64',
  })
  @IsOptional()
  @IsString()
  caps?: string;

  @ApiPropertyOptional({
    description: 'Groups, comma-separated: workers in any of them',
    example: 'lab-a',
  })
  @IsOptional()
  @IsString()
  group?: string;
}

/** `GET /api/v2/workers` query: filters and the page. */
export class WorkerListQueryDto extends Paged(WorkerListFilters, DEFAULT_PAGE_LIMIT) {}

/** `POST /api/v2/workers/:uuid/maintenance` body. */
export class MaintenanceDto {
  @ApiPropertyOptional({
    description: "Shown on the board's display (default: MAINTENANCE)",
    maxLength: MAX_MAINTENANCE_MESSAGE_LENGTH,
    example: 'new SD card',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_MAINTENANCE_MESSAGE_LENGTH)
  @Matches(MAINTENANCE_MESSAGE_PATTERN, {
    message: 'message must be one line of text without control characters',
  })
  message?: string;

  @ApiPropertyOptional({
    description:
      'A RUNNING worker finishes its job first (not failed), takes no new one, then goes to maintenance',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  drain?: boolean;
}

/** `PUT /api/v2/workers/:uuid/groups` body. */
export class WorkerGroupsDto {
  @ApiProperty({
    description: 'The groups the worker is reserved for; empty: it serves everyone',
    type: [String],
    example: ['lab-a'],
  })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  groups!: string[];
}
