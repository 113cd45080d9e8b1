import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { HIGHEST_PRIORITY, LOWEST_PRIORITY } from '../../../common/priority';
import type { CapsQuery } from '../../../common/caps-query';
import { Paged } from '../common/paged-query.dto';
import { IsCapsShape } from './caps-shape.validator';

const CAPS_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: {
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { type: 'string' }, minItems: 1 },
      {
        type: 'object',
        properties: { min: { type: 'number' }, max: { type: 'number' } },
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: {
          not: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        },
        required: ['not'],
        additionalProperties: false,
      },
    ],
  },
  example: { board: 'rpi4', arch: ['arm64', 'armv7'], ram_gb: { min: 4 }, rev: { not: 'a' } },
};

const TIME = { type: String, format: 'date-time', example: '2026-12-02T10:00:00Z' } as const;

export class CreateRequestDto {
  @ApiProperty({ description: 'The caps a worker must have (docs/caps.md).', ...CAPS_SCHEMA })
  @IsCapsShape()
  caps!: CapsQuery;

  @ApiPropertyOptional({
    description: '1 (highest) … 16 (lowest); never better than your best priority.',
    minimum: HIGHEST_PRIORITY,
    maximum: LOWEST_PRIORITY,
    default: 8,
  })
  @IsOptional()
  @IsInt()
  @Min(HIGHEST_PRIORITY)
  @Max(LOWEST_PRIORITY)
  priority?: number;

  @ApiPropertyOptional({ ...TIME, description: 'Not served before this time; default now.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  validAfter?: string;

  @ApiPropertyOptional({
    ...TIME,
    description: 'TIMEOUT if still waiting then; default now + LESHY_DEFAULT_DEADLINE.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  deadline?: string;

  @ApiPropertyOptional({
    description:
      'Your own OpenSSH public key line (ed25519, ecdsa, rsa ≥ 2048 bits), authorized on the board for the job; no private key is sent then.',
    example: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… alice@laptop',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16_384)
  publicKey?: string;
}

export class UpdateRequestDto {
  @ApiPropertyOptional({ minimum: HIGHEST_PRIORITY, maximum: LOWEST_PRIORITY })
  @IsOptional()
  @IsInt()
  @Min(HIGHEST_PRIORITY)
  @Max(LOWEST_PRIORITY)
  priority?: number;

  @ApiPropertyOptional(TIME)
  @IsOptional()
  @IsISO8601({ strict: true })
  validAfter?: string;

  @ApiPropertyOptional(TIME)
  @IsOptional()
  @IsISO8601({ strict: true })
  deadline?: string;
}

export const V2_SORTS = [
  'id',
  '-id',
  'priority',
  '-priority',
  'deadline',
  '-deadline',
  'createdAt',
  '-createdAt',
] as const;
export type V2Sort = (typeof V2_SORTS)[number];

/** `GET /api/v2/requests` filters and order. */
class RequestListFilters {
  @ApiPropertyOptional({
    description: 'States, comma-separated (e.g. `WAITING,IN PROGRESS`).',
    example: 'WAITING,IN PROGRESS',
  })
  @IsOptional()
  @IsString()
  state?: string;

  @ApiPropertyOptional({ description: 'A user name, or `me`.', example: 'me' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  owner?: string;

  @ApiPropertyOptional({ minimum: HIGHEST_PRIORITY, maximum: LOWEST_PRIORITY })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(HIGHEST_PRIORITY)
  @Max(LOWEST_PRIORITY)
  priority?: number;

  @ApiPropertyOptional({ description: "UUID of the job's worker.", format: 'uuid' })
  @IsOptional()
  @IsUUID()
  worker?: string;

  @ApiPropertyOptional({ enum: V2_SORTS, default: 'id' })
  @IsOptional()
  @IsIn(V2_SORTS)
  sort?: V2Sort;
}

export class ListRequestsQueryDto extends Paged(RequestListFilters, 50) {}

export class GetRequestQueryDto {
  @ApiPropertyOptional({
    description:
      'Wait until the request is in one of these states (comma-separated), or can never be.',
    example: 'IN PROGRESS',
  })
  @IsOptional()
  @IsString()
  waitFor?: string;

  @ApiPropertyOptional({
    description: 'How long to wait (`90s`, `5m`); default 30s, at most 5m.',
    example: '60s',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d+(s|m)$/, { message: 'timeout must be a duration like 30s or 5m (at most 5m)' })
  timeout?: string;
}
