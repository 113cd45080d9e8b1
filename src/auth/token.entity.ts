import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/column-transformers';

export type TokenKind = 'user' | 'agent';

/**
 * A bearer token. Only the SHA-256 of its secret is stored: the secret is shown once, when it
 * is created. A user token acts as its user; an agent token as the worker it is bound to
 * (bound on the agent's first registration when created unbound).
 */
@Entity('tokens')
@Index('IDX_tokens_user', ['userId'])
@Index('IDX_tokens_one_live_per_worker', ['workerUuid'], {
  unique: true,
  where: 'revoked_at IS NULL',
})
@Unique('UQ_tokens_secret_hash', ['secretHash'])
export class TokenEntity {
  @PrimaryGeneratedColumn('increment')
  id!: number;

  @Column('varchar', { length: 16 })
  kind!: TokenKind;

  /** The user of a user token; null for agent tokens. */
  @Column('integer', { name: 'user_id', nullable: true })
  userId!: number | null;

  /** The worker an agent token speaks for; null until its first registration. */
  @Column('varchar', { name: 'worker_uuid', length: 36, nullable: true })
  workerUuid!: string | null;

  /** What the admin or user called it ("gitlab-ci", "board 7"). */
  @Column('varchar', { length: 255 })
  label!: string;

  /** Hex SHA-256 of the secret. */
  @Column('varchar', { name: 'secret_hash', length: 64 })
  secretHash!: string;

  @Column('bigint', { name: 'created_at', transformer: epochMs })
  createdAt!: Date;

  @Column('bigint', { name: 'expires_at', nullable: true, transformer: epochMs })
  expiresAt!: Date | null;

  /** Updated at most once a minute per token, so authentication rarely writes. */
  @Column('bigint', { name: 'last_used_at', nullable: true, transformer: epochMs })
  lastUsedAt!: Date | null;

  @Column('bigint', { name: 'revoked_at', nullable: true, transformer: epochMs })
  revokedAt!: Date | null;
}
