import { ApiProperty } from '@nestjs/swagger';
import { LeshyEventDto } from '../events/event-dto.schema';

/** A page of the audit log (the answer of GET /api/v2/audit). */
export class AuditPageDto {
  @ApiProperty({ type: [LeshyEventDto], description: 'Entries, newest first.' })
  items!: LeshyEventDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next (older) page; null on the last page.',
  })
  nextCursor!: string | null;

  @ApiProperty({ description: 'Entries matching the filters, on every page.' })
  total!: number;
}
