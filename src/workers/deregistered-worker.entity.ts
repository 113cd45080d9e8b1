import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/column-transformers';

/**
 * A board an admin deregistered. While `admittedAt` is null its agent's registrations are
 * refused (410), so a deregistration sticks although the agent still runs; once an admin
 * admits it, the next registration creates the worker again and removes this row.
 */
@Entity('deregistered_workers')
export class DeregisteredWorkerEntity {
  @PrimaryColumn('varchar', { length: 36 })
  uuid!: string;

  @Column('bigint', { name: 'deregistered_at', transformer: epochMs })
  deregisteredAt!: Date;

  /** The actor who deregistered it (e.g. `v1:anonymous`, a user). */
  @Column('varchar', { name: 'deregistered_by', length: 255 })
  deregisteredBy!: string;

  @Column('bigint', { name: 'admitted_at', nullable: true, transformer: epochMs })
  admittedAt!: Date | null;

  @Column('varchar', { name: 'admitted_by', length: 255, nullable: true })
  admittedBy!: string | null;
}
