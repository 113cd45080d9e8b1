import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { CapsQuery } from '../common/caps-query';
import { bigintNumber, epochMs, jsonText } from '../database/column-transformers';
import type { EndedHow } from './request-ending';
import type { RequestState } from './request-state';

/** A tester's ask for one worker. `state` changes only through requestStateMachine. */
@Entity('requests')
@Index('IDX_requests_state_deadline', ['state', 'deadline'])
export class RequestEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: number;

  /** 1 (highest) … 16 (lowest). */
  @Column('integer')
  priority!: number;

  /** Position in the FIFO of its priority; renewed when the priority changes (tail of the new one). */
  @Column('bigint', { name: 'queue_seq', transformer: bigintNumber })
  queueSeq!: number;

  @Column('varchar', { length: 16 })
  state!: RequestState;

  /** Bumped by every state change: the compare-and-set guard against concurrent writers. */
  @Column('integer', { name: 'state_version' })
  stateVersion!: number;

  /**
   * Who filed it: `user:<id>`, or `anonymous` for API v1 callers without a credential (null:
   * filed anonymously before identities existed).
   */
  @Column('varchar', { length: 255, nullable: true })
  owner!: string | null;

  /** The owner's groups when it was filed, sorted: it may use workers in one of them. */
  @Column('text', { name: 'owner_groups', transformer: jsonText })
  ownerGroups!: string[];

  /** Filed by an admin: it may use a worker of any group. */
  // The database's default (false, in the migration) is not declared here: TypeORM reloads
  // every column with a declared default after each insert, one more statement per create.
  @Column('boolean', { name: 'any_group' })
  anyGroup!: boolean;

  /** The canonical caps query (normalizeCapsQuery): exact values are strings, as v1 files them. */
  @Column('text', { transformer: jsonText })
  caps!: CapsQuery;

  @Column('bigint', { name: 'valid_after', transformer: epochMs })
  validAfter!: Date;

  @Column('bigint', { transformer: epochMs })
  deadline!: Date;

  @Column('bigint', { name: 'created_at', transformer: epochMs })
  createdAt!: Date;

  @Column('bigint', { name: 'updated_at', transformer: epochMs })
  updatedAt!: Date;

  /**
   * Why no registered worker can serve it (written after create by UnservableNotes, cleared
   * when a worker that can registers); null otherwise. Not part of the API v1 wire format.
   */
  @Column('text', { name: 'unservable_note', nullable: true })
  unservableNote?: string | null;

  /** The tester's own OpenSSH public key (API v2), authorized on the board for the job; null: none. */
  @Column('text', { name: 'public_key', nullable: true })
  publicKey?: string | null;

  /** How it ended, set with its terminal state (requestStateMachine); null while not finished. */
  @Column('varchar', { name: 'ended_how', length: 32, nullable: true })
  endedHow?: EndedHow | null;

  @Column('text', { name: 'ended_reason', nullable: true })
  endedReason?: string | null;

  /** Who ended it, as the audit log names actors (`user:bob`, `system:timekeeper`). */
  @Column('varchar', { name: 'ended_by', length: 255, nullable: true })
  endedBy?: string | null;

  @Column('bigint', { name: 'ended_at', nullable: true, transformer: epochMs })
  endedAt?: Date | null;
}
