import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMs } from '../database/column-transformers';

/**
 * An Idempotency-Key of a create (API v2): per owner, the request the key filed and the
 * fingerprint of the body it came with. Kept IDEMPOTENCY_KEY_TTL_MS; the primary key is what
 * makes two concurrent creates with one key file one request.
 */
@Entity('idempotency_keys')
export class IdempotencyKeyEntity {
  /** The request owner's key (`user:<id>`, `anonymous`). */
  @PrimaryColumn('varchar', { length: 255 })
  owner!: string;

  @PrimaryColumn('varchar', { length: 255 })
  key!: string;

  /** SHA-256 (hex) of the create's input in canonical form. */
  @Column('varchar', { length: 64 })
  fingerprint!: string;

  @Column('bigint', { name: 'request_id', transformer: bigintNumber })
  requestId!: number;

  @Column('bigint', { name: 'created_at', transformer: epochMs })
  createdAt!: Date;
}
