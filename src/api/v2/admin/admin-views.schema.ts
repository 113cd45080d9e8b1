import { ApiProperty } from '@nestjs/swagger';
import type { toIssuedTokenDto, toTokenDto, toUserDto } from './admin-views';

/** The JSON of admin-views.ts, for the OpenAPI document. */
export class UserDto implements ReturnType<typeof toUserDto> {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['tester', 'admin'] }) role!: 'tester' | 'admin';
  @ApiProperty({ type: [String], description: 'Worker groups their requests may use.' })
  groups!: string[];
  @ApiProperty({ description: 'The best (lowest) priority they may ask for, 1…16.' })
  bestPriority!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class TokenDto implements ReturnType<typeof toTokenDto> {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: ['user', 'agent'] }) kind!: ReturnType<typeof toTokenDto>['kind'];
  @ApiProperty({ type: Number, nullable: true }) userId!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Agent tokens: the worker it speaks for.',
  })
  workerUuid!: string | null;
  @ApiProperty() label!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
}

export class IssuedTokenDto extends TokenDto implements ReturnType<typeof toIssuedTokenDto> {
  @ApiProperty({ description: 'The secret (`lsy_…`): in this answer only, never again.' })
  secret!: string;
}
