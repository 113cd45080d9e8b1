import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AccessMode, Caps } from 'dryad-agent/protocol';
import { epochMs, jsonText, nullableJsonText } from '../database/column-transformers';
import type { MaintenanceOrder } from './maintenance-order';
import type { WorkerState } from './worker-state';

/** A MuxPi supervisor with its device under test. `state` changes only through workerStateMachine. */
@Entity('workers')
export class WorkerEntity {
  @PrimaryColumn('varchar', { length: 36 })
  uuid!: string;

  @Column('varchar', { length: 16 })
  state!: WorkerState;

  /** Bumped by every state change: the compare-and-set guard, and what long operations check. */
  @Column('integer', { name: 'state_version' })
  stateVersion!: number;

  /** Always holds UUID=<uuid>. */
  @Column('text', { transformer: jsonText })
  caps!: Caps;

  /** Sorted; empty = serves requests of any group. */
  @Column('text', { transformer: jsonText })
  groups!: string[];

  /** host:port of the agent's SSH server for control commands. */
  @Column('varchar', { name: 'control_addr', length: 255 })
  controlAddr!: string;

  /** host:port testers are tunnelled to. */
  @Column('varchar', { name: 'ssh_addr', length: 255 })
  sshAddr!: string;

  /** The agent's SSH host key (OpenSSH line), pinned at registration. */
  @Column('text', { name: 'host_key' })
  hostKey!: string;

  @Column('varchar', { name: 'access_mode', length: 16 })
  accessMode!: AccessMode;

  /** Why the worker last failed (kept until it is prepared again). */
  @Column('text', { name: 'fail_reason', nullable: true })
  failReason!: string | null;

  /** When it last became IDLE (ties in matching go to the one idle longest). */
  @Column('bigint', { name: 'idle_since', nullable: true, transformer: epochMs })
  idleSince!: Date | null;

  /**
   * Sealed key pair the board was prepared with; handed to the next job. Never leaves unsealed.
   * In PREPARE: a key no one outside the server has seen (its job's tester used their own key),
   * to prepare the board with again; null: prepare with a fresh one.
   */
  @Column('text', { name: 'prepared_key', nullable: true })
  preparedKey!: string | null;

  /** User name testers log in with on the prepared board. */
  @Column('varchar', { name: 'job_username', length: 64, nullable: true })
  jobUsername!: string | null;

  /**
   * The admin's maintenance order (message for the display, drain, who, when); null while the
   * worker is in service. Cleared when the worker is prepared again.
   */
  @Column('text', { nullable: true, transformer: nullableJsonText })
  maintenance!: MaintenanceOrder | null;

  @Column('bigint', { name: 'registered_at', transformer: epochMs })
  registeredAt!: Date;

  @Column('bigint', { name: 'updated_at', transformer: epochMs })
  updatedAt!: Date;
}
