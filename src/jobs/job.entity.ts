import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/column-transformers';

/**
 * The binding of a running request to its worker. The primary key gives a request at most one
 * job ever; the partial unique index gives a worker at most one job that has not ended. Both hold
 * whatever the application does, across server instances.
 */
@Entity('jobs')
@Index('IDX_jobs_one_active_per_worker', ['workerUuid'], {
  unique: true,
  where: 'ended_at IS NULL',
})
@Index('IDX_jobs_active_timeout', ['endedAt', 'timeoutAt'])
@Index('IDX_jobs_active_idle', ['endedAt', 'idleAt'])
export class JobEntity {
  @PrimaryColumn('bigint', { name: 'request_id' })
  requestId!: number;

  @Column('varchar', { name: 'worker_uuid', length: 36 })
  workerUuid!: string;

  @Column('bigint', { name: 'started_at', transformer: epochMs })
  startedAt!: Date;

  /** The job ends (request DONE) at this moment unless prolonged. */
  @Column('bigint', { name: 'timeout_at', transformer: epochMs })
  timeoutAt!: Date;

  /**
   * The job ends (request DONE, reason idle) at this moment unless its agent reports tester
   * activity first; never after timeoutAt. Null: no inactivity timeout (LESHY_IDLE_JOB_TIMEOUT=0).
   */
  @Column('bigint', { name: 'idle_at', nullable: true, transformer: epochMs })
  idleAt!: Date | null;

  /**
   * The timeout a job.expiring warning was sent for; null: none yet. Equal to timeoutAt once
   * warned; a prolong moves timeoutAt, so the new timeout gets its own warning.
   */
  @Column('bigint', { name: 'expiry_warned_for', nullable: true, transformer: epochMs })
  expiryWarnedFor!: Date | null;

  @Column('bigint', { name: 'ended_at', nullable: true, transformer: epochMs })
  endedAt!: Date | null;

  @Column('integer', { name: 'prolong_count' })
  prolongCount!: number;

  /** User name on the board for this job. */
  @Column('varchar', { length: 64 })
  username!: string;

  /** Sealed job key pair (private PEM + public OpenSSH line). */
  @Column('text', { name: 'access_key' })
  accessKey!: string;

  /**
   * The private key was handed out (acquire without the tester's own key). One never handed
   * out prepares the board again when the job ends: no fresh key is generated for it.
   */
  // No declared default (the migration has one): TypeORM would reload it after every insert.
  @Column('boolean', { name: 'key_revealed' })
  keyRevealed!: boolean;

  /** Port of the tunnel on the server host while the job runs (kept so a restart reuses it). */
  @Column('integer', { name: 'tunnel_port', nullable: true })
  tunnelPort!: number | null;
}
