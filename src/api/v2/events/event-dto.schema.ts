import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_TYPES } from './event-types';
import { RequestDto } from '../requests/request-view.dto';
import { WorkerDto } from '../workers/worker-v2.view';
import type { EventDto, JobSnapshot, TokenSnapshot, UserSnapshot } from './event-dto.mapper';

/** EventDto for the OpenAPI document (event-dto.mapper.ts builds it). */
export class LeshyEventDto implements EventDto {
  @ApiProperty({ description: 'The audit entry id: the `id:` of the stream, for Last-Event-ID.' })
  id!: number;

  @ApiProperty({ enum: EVENT_TYPES })
  type!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ example: 'user:alice', description: 'Who made the change.' })
  actor!: string;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  requestId!: number | null;

  @ApiProperty({ type: String, nullable: true })
  workerUuid!: string | null;

  @ApiPropertyOptional({ description: '`*.state-changed`: the state before.' })
  from?: string;

  @ApiPropertyOptional({ description: '`*.state-changed`: the state after.' })
  to?: string;

  @ApiPropertyOptional({
    type: () => RequestDto,
    description: 'request.*: the request after the change, as GET /api/v2/requests/:id shows it.',
  })
  request?: RequestDto;

  @ApiPropertyOptional({
    type: () => WorkerDto,
    description: 'worker.*: the worker after the change, as GET /api/v2/workers lists it.',
  })
  worker?: WorkerDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'job.*: the job after the change.',
  })
  job?: JobSnapshot;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'user.* (admins only).',
  })
  user?: UserSnapshot;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'token.* (admins only; never the secret).',
  })
  token?: TokenSnapshot;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The changed fields before.',
  })
  before!: Record<string, unknown> | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The changed fields after.',
  })
  after!: Record<string, unknown> | null;
}
