import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs, jsonText } from '../database/column-transformers';
import type { UserRole } from './actor';

/** A tester or an admin. Names never change (the audit log records them). */
@Entity('users')
@Unique('UQ_users_name', ['name'])
export class UserEntity {
  @PrimaryGeneratedColumn('increment')
  id!: number;

  @Column('varchar', { length: 64 })
  name!: string;

  @Column('varchar', { length: 16 })
  role!: UserRole;

  /** Sorted: the worker groups this user's requests may use (admins: any). */
  @Column('text', { transformer: jsonText })
  groups!: string[];

  /** The best (lowest number) priority this user may ask for, 1 … 16. */
  @Column('integer', { name: 'best_priority' })
  bestPriority!: number;

  @Column('bigint', { name: 'created_at', transformer: epochMs })
  createdAt!: Date;

  @Column('bigint', { name: 'updated_at', transformer: epochMs })
  updatedAt!: Date;
}
