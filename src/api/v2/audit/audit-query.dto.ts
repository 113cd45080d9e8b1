import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MAX_PAGE_LIMIT } from '../../../common/list-query';
import { EventScopeQueryDto } from '../events/events-query.dto';

export class AuditQueryDto extends EventScopeQueryDto {
  @ApiPropertyOptional({
    description:
      'Who made the change, as entries name it: `user:alice`, `agent:<uuid>`, `system:timekeeper`, `anonymous`.',
  })
  @IsOptional()
  @IsString()
  actor?: string;

  @ApiPropertyOptional({
    description: 'Event types, comma-separated; `job.*` takes every job event.',
  })
  @IsOptional()
  @IsString()
  type?: string;

  @ApiPropertyOptional({
    description: 'Entries since then: a duration before now (`1h`) or a time.',
  })
  @IsOptional()
  @IsString()
  since?: string;

  @ApiPropertyOptional({
    description: `Entries per page (default 100, at most ${MAX_PAGE_LIMIT}).`,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(MAX_PAGE_LIMIT, { message: `limit must be at most ${MAX_PAGE_LIMIT}` })
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;
}
