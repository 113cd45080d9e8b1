import { ApiProperty } from '@nestjs/swagger';
import type { Caps } from 'dryad-agent/protocol';
import type { WorkerView } from '../../../events/domain-event';
import type { WorkerFacts } from '../../../jobs/worker-health.service';
import { WORKER_STATES } from '../../../workers/worker-state';

/** API v2's JSON for workers (docs/api-v2.md, "Workers"): ISO times, never a key. */
export class WorkerJobDto {
  @ApiProperty({ example: 42 })
  requestId!: number;

  @ApiProperty({ description: 'User name of the request owner', example: 'alice' })
  owner!: string;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'The job ends then unless prolonged' })
  timeoutAt!: string;
}

export class MaintenanceOrderDto {
  @ApiProperty({ type: String, nullable: true, example: 'new SD card' })
  message!: string | null;

  @ApiProperty()
  drain!: boolean;

  @ApiProperty({ example: 'user:root' })
  by!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class LastFailureDto {
  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ type: String, nullable: true, example: 'dut does not boot' })
  reason!: string | null;
}

export class HealthEntryDto {
  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ description: 'false: the worker failed; true: it left FAILED (recovered)' })
  ok!: boolean;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;
}

export class WorkerDto {
  @ApiProperty({ format: 'uuid' })
  uuid!: string;

  @ApiProperty({ enum: WORKER_STATES })
  state!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { board: 'rpi4', UUID: '…' },
  })
  caps!: Caps;

  @ApiProperty({ type: [String] })
  groups!: string[];

  @ApiProperty({ enum: ['embedded', 'system'] })
  accessMode!: string;

  @ApiProperty({ format: 'date-time' })
  registeredAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: WorkerJobDto, nullable: true })
  job!: WorkerJobDto | null;

  @ApiProperty({ type: MaintenanceOrderDto, nullable: true })
  maintenance!: MaintenanceOrderDto | null;

  @ApiProperty({ type: String, nullable: true })
  failReason!: string | null;

  @ApiProperty({ type: LastFailureDto, nullable: true })
  lastFailure!: LastFailureDto | null;

  @ApiProperty({ description: 'Failures within the last 24 hours' })
  failuresLastDay!: number;
}

export class WorkerDetailDto extends WorkerDto {
  @ApiProperty({
    type: [HealthEntryDto],
    description: 'Failures and recoveries of the last 24 hours, newest first',
  })
  health!: HealthEntryDto[];
}

export class WorkerPageDto {
  @ApiProperty({ type: [WorkerDto] })
  items!: WorkerDto[];

  @ApiProperty({ type: String, nullable: true, description: 'null: this is the last page' })
  nextCursor!: string | null;

  @ApiProperty({ description: 'Workers matching the filters, on every page' })
  total!: number;
}

/** A worker as the worker routes and the events' snapshots show it. */
export function toWorkerDto(worker: WorkerView, facts: WorkerFacts): WorkerDto {
  return {
    uuid: worker.uuid,
    state: worker.state,
    caps: { ...worker.caps },
    groups: [...worker.groups],
    accessMode: worker.accessMode,
    registeredAt: worker.registeredAt.toISOString(),
    updatedAt: worker.updatedAt.toISOString(),
    job: facts.job && {
      requestId: facts.job.requestId,
      owner: facts.job.owner,
      startedAt: facts.job.startedAt.toISOString(),
      timeoutAt: facts.job.timeoutAt.toISOString(),
    },
    maintenance: worker.maintenance && { ...worker.maintenance },
    failReason: worker.failReason,
    lastFailure: facts.lastFailure && {
      at: facts.lastFailure.at.toISOString(),
      reason: facts.lastFailure.reason,
    },
    failuresLastDay: facts.failuresLastDay,
  };
}

export function toWorkerDetailDto(worker: WorkerView, facts: WorkerFacts): WorkerDetailDto {
  return {
    ...toWorkerDto(worker, facts),
    health: facts.health.map((entry) => ({
      at: entry.at.toISOString(),
      ok: entry.ok,
      reason: entry.reason,
    })),
  };
}
