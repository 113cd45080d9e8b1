import { ApiProperty } from '@nestjs/swagger';

/** The answer of GET /api/v2/whoami, for the OpenAPI document. */
export class WhoamiDto {
  @ApiProperty({ enum: ['user', 'anonymous', 'agent', 'system'] }) kind!: string;
  @ApiProperty({ example: 'user:alice' }) name!: string;
  @ApiProperty({ enum: ['tester', 'admin', 'agent', 'system'] }) role!: string;
  @ApiProperty({ type: Number, nullable: true }) userId!: number | null;
  @ApiProperty({ type: String, nullable: true }) workerUuid!: string | null;
  @ApiProperty({ type: [String] }) groups!: readonly string[];
  @ApiProperty() bestPriority!: number;
}
