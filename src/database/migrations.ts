import type { MigrationInterface } from 'typeorm';
import { Init1795328400000 } from '../../migrations/1795328400000-Init';
import { UsersAndTokens1796164845263 } from '../../migrations/1796164845263-UsersAndTokens';

/** Every migration, in order. A new migration is appended here (the generate script says so). */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  Init1795328400000,
  UsersAndTokens1796164845263,
];
