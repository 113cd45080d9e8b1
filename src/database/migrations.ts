import type { MigrationInterface } from 'typeorm';
import { Init1795328400000 } from '../../migrations/1795328400000-Init';
import { DeregisteredWorkers1796164819329 } from '../../migrations/1796164819329-DeregisteredWorkers';
import { RequestUnservableNote1796166142823 } from '../../migrations/1796166142823-RequestUnservableNote';
import { UsersAndTokens1796164845263 } from '../../migrations/1796164845263-UsersAndTokens';

/** Every migration, in order. A new migration is appended here (the generate script says so). */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  Init1795328400000,
  DeregisteredWorkers1796164819329,
  UsersAndTokens1796164845263,
  RequestUnservableNote1796166142823,
];
