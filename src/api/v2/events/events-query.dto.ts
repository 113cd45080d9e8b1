import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';

/** What the stream and the audit log both filter on: one request, one worker. */
export class EventScopeQueryDto {
  @ApiPropertyOptional({ description: 'Only the events of this request (and of its job).' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,15}$/, { message: 'request must be a request id (a positive integer)' })
  request?: string;

  @ApiPropertyOptional({ description: 'Only the events of this worker (and of its jobs).' })
  @IsOptional()
  @IsUUID('all', { message: 'worker must be a worker UUID' })
  worker?: string;
}

export class EventsQueryDto extends EventScopeQueryDto {
  @ApiPropertyOptional({
    description: 'Comma-separated event types; `job.*` takes every type starting with `job.`.',
    example: 'request.state-changed,job.*',
  })
  @IsOptional()
  @IsString()
  types?: string;

  @ApiPropertyOptional({
    description:
      'Replay the events after this id first (as the `Last-Event-ID` header, which wins if both are sent).',
  })
  @IsOptional()
  @Matches(/^[0-9]{1,16}$/, { message: 'since must be an event id (a non-negative integer)' })
  since?: string;
}
