import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs, jsonText } from '../database/column-transformers';

/** Append-only record of every change: who, what, when, before and after. Never updated. */
@Entity('audit_events')
@Index('IDX_audit_events_aggregate', ['aggregate', 'aggregateId'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: number;

  @Column('bigint', { transformer: epochMs })
  at!: Date;

  /** `anonymous`, `user:<name>`, `agent:<uuid>`, `system:<component>`. */
  @Column('varchar', { length: 255 })
  actor!: string;

  /** Event type, e.g. `request.state-changed`. */
  @Column('varchar', { length: 64 })
  type!: string;

  @Column('varchar', { length: 16 })
  aggregate!: string;

  @Column('varchar', { name: 'aggregate_id', length: 64 })
  aggregateId!: string;

  @Column('text', { nullable: true, transformer: jsonText })
  before!: Record<string, unknown> | null;

  @Column('text', { nullable: true, transformer: jsonText })
  after!: Record<string, unknown> | null;

  @Column('text', { nullable: true })
  reason!: string | null;

  /** PostgreSQL: the server instance that wrote the row (see src/cluster/). NULL on SQLite. */
  @Column('varchar', { length: 64, nullable: true })
  origin!: string | null;

  /**
   * The event as published (event-codec.ts): what other instances relay (PostgreSQL) and what
   * the API v2 event stream replays. NULL on rows written before it was kept on SQLite too.
   */
  @Column('text', { nullable: true })
  payload!: string | null;
}
