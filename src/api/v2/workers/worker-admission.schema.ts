import { ApiProperty } from '@nestjs/swagger';
import type { AdmissionView } from '../../../workers/worker-admission';

/** AdmissionView for the OpenAPI document. */
export class AdmissionDto implements AdmissionView {
  @ApiProperty() uuid!: string;
  @ApiProperty({ format: 'date-time' }) deregisteredAt!: Date;
  @ApiProperty() deregisteredBy!: string;
  @ApiProperty({ format: 'date-time' }) admittedAt!: Date;
  @ApiProperty() admittedBy!: string;
}
