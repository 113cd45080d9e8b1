import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/column-transformers';

/**
 * A dashboard session. The browser's cookie holds the session secret; only its SHA-256 is
 * stored, so a copy of the database opens no session. The session acts as the token it was
 * opened with, and only while that token is usable.
 */
@Entity('sessions')
@Index('IDX_sessions_expires', ['expiresAt'])
@Unique('UQ_sessions_secret_hash', ['secretHash'])
export class SessionEntity {
  @PrimaryGeneratedColumn('increment')
  id!: number;

  /** Hex SHA-256 of the cookie's value. */
  @Column('varchar', { name: 'secret_hash', length: 64 })
  secretHash!: string;

  @Column('integer', { name: 'token_id' })
  tokenId!: number;

  @Column('bigint', { name: 'created_at', transformer: epochMs })
  createdAt!: Date;

  @Column('bigint', { name: 'expires_at', transformer: epochMs })
  expiresAt!: Date;
}
