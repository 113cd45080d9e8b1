import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ENDED_HOWS, EndedHow } from '../../../requests/request-ending';
import { REQUEST_STATES, RequestState } from '../../../requests/request-state';
import type { JobAccess } from '../../../jobs/jobs.service';
import type { RequestDetails } from '../../../requests/requests.service';
import type { CapsQuery } from '../../../common/caps-query';

const TIME = { type: String, format: 'date-time' } as const;

export class RequestJobDto {
  @ApiProperty({ format: 'uuid' }) workerUuid!: string;
  @ApiProperty(TIME) startedAt!: string;
  @ApiProperty(TIME) timeoutAt!: string;
  @ApiProperty({ ...TIME, nullable: true, description: 'When it ends for inactivity.' })
  idleAt!: string | null;
  @ApiProperty({ ...TIME, nullable: true }) endedAt!: string | null;
  @ApiProperty() prolongCount!: number;
}

export class RequestEndedDto {
  @ApiProperty({ enum: ENDED_HOWS }) how!: EndedHow;
  @ApiProperty({ nullable: true, description: "The reason, e.g. the worker's failure." })
  reason!: string | null;
  @ApiProperty({ description: 'Who ended it: `user:bob`, `system:timekeeper`, `agent:<uuid>`.' })
  by!: string;
  @ApiProperty(TIME) at!: string;
}

export class RequestDto {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: REQUEST_STATES }) state!: RequestState;
  @ApiProperty({ minimum: 1, maximum: 16 }) priority!: number;
  @ApiProperty({ description: 'The user name (`anonymous` for API v1 callers without one).' })
  owner!: string;
  @ApiProperty({ type: [String] }) groups!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: { board: 'rpi4' } })
  caps!: CapsQuery;
  @ApiProperty(TIME) validAfter!: string;
  @ApiProperty(TIME) deadline!: string;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty(TIME) updatedAt!: string;
  @ApiProperty({ description: 'The request carries its tester’s own public key.' })
  ownKey!: boolean;
  @ApiProperty({ type: RequestJobDto, nullable: true }) job!: RequestJobDto | null;
  @ApiProperty({ type: RequestEndedDto, nullable: true }) ended!: RequestEndedDto | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why no registered worker could ever serve it.',
  })
  unservable!: string | null;
}

export class RequestPageDto {
  @ApiProperty({ type: [RequestDto] }) items!: RequestDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass back as `cursor`; null: last page.',
  })
  nextCursor!: string | null;
  @ApiProperty({ description: 'Requests matching the filters, on every page.' }) total!: number;
}

export class TunnelDto {
  @ApiProperty({ example: '127.0.0.1' }) host!: string;
  @ApiProperty({ example: 40123 }) port!: number;
}

export class AcquireDto {
  @ApiProperty() requestId!: number;
  @ApiProperty({ format: 'uuid' }) workerUuid!: string;
  @ApiProperty({ example: 'leshy-job-42' }) username!: string;
  @ApiProperty({ type: TunnelDto }) tunnel!: TunnelDto;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: "The job's private key (PEM); null when the request carries your own key.",
  })
  privateKey!: string | null;
  @ApiProperty({ description: 'Log in with your own key (the one given as `publicKey`).' })
  ownKey!: boolean;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function toRequestDto(details: RequestDetails): RequestDto {
  const { request, job } = details;
  return {
    id: request.id,
    state: request.state,
    priority: request.priority,
    owner: details.ownerName,
    groups: [...request.ownerGroups],
    caps: { ...request.caps },
    validAfter: request.validAfter.toISOString(),
    deadline: request.deadline.toISOString(),
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
    ownKey: !!request.publicKey,
    job: job
      ? {
          workerUuid: job.workerUuid,
          startedAt: job.startedAt.toISOString(),
          timeoutAt: job.timeoutAt.toISOString(),
          idleAt: iso(job.idleAt),
          endedAt: iso(job.endedAt),
          prolongCount: job.prolongCount,
        }
      : null,
    ended:
      request.endedHow && request.endedAt
        ? {
            how: request.endedHow,
            reason: request.endedReason ?? null,
            by: request.endedBy ?? 'unknown',
            at: request.endedAt.toISOString(),
          }
        : null,
    unservable: request.unservableNote ?? null,
  };
}

export function toAcquireDto(access: JobAccess): AcquireDto {
  return {
    requestId: access.requestId,
    workerUuid: access.workerUuid,
    username: access.username,
    tunnel: { host: access.tunnel.ip, port: access.tunnel.port },
    privateKey: access.key?.privateKeyPem ?? null,
    ownKey: access.ownKey,
  };
}
