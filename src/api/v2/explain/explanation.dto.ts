import { ApiProperty } from '@nestjs/swagger';
import type { Explanation } from '../../../explain/explain';

const REASONS = [
  'running',
  'preparing',
  'maintenance',
  'failed',
  'busy',
  'groups',
  'cap',
  'ahead',
  'idle',
];

/** API v2's JSON for an explanation (docs/explain.md). */
export class QueuePositionDto {
  @ApiProperty({ description: 'Among ready WAITING requests of its priority (1: next)' })
  inPriority!: number;

  @ApiProperty({ description: 'Among all ready WAITING requests (1: next)' })
  overall!: number;
}

export class WorkerVerdictDto {
  @ApiProperty({ format: 'uuid' })
  uuid!: string;

  @ApiProperty({ enum: REASONS })
  reason!: string;

  @ApiProperty({ example: 'running request 40 until 2026-12-02T11:00:00.000Z' })
  detail!: string;
}

export class ExplanationDto {
  @ApiProperty()
  requestId!: number;

  @ApiProperty({ example: 'WAITING' })
  state!: string;

  @ApiProperty({ description: 'false before validAfter (and for a request not WAITING)' })
  ready!: boolean;

  @ApiProperty({ type: QueuePositionDto, nullable: true })
  position!: QueuePositionDto | null;

  @ApiProperty({
    type: [WorkerVerdictDto],
    description: 'Every registered worker, with why it does not serve it now',
  })
  workers!: WorkerVerdictDto[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  estimatedStart!: string | null;

  @ApiProperty({
    type: [String],
    description: 'Requested caps (key=value) that no registered worker has',
    example: ['board=rpi5'],
  })
  missingCaps!: string[];

  @ApiProperty({
    example: '7th in the queue; 2 workers could serve it, both busy; estimated start in 12 min',
  })
  summary!: string;
}

export function toExplanationDto(e: Explanation): ExplanationDto {
  return { ...e, estimatedStart: e.estimatedStart?.toISOString() ?? null };
}
