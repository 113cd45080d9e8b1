import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { Paged } from '../common/paged-query.dto';
import { EventScopeQueryDto } from '../events/events-query.dto';

class AuditFilters extends EventScopeQueryDto {
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
}

/** `GET /api/v2/audit` query: filters and the page (100 entries unless asked). */
export class AuditQueryDto extends Paged(AuditFilters, 100) {}
