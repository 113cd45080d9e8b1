import type { MigrationInterface } from 'typeorm';
import { Init1795328400000 } from '../../migrations/1795328400000-Init';
import { DeregisteredWorkers1796164819329 } from '../../migrations/1796164819329-DeregisteredWorkers';
import { RequestUnservableNote1796166142823 } from '../../migrations/1796166142823-RequestUnservableNote';
import { UsersAndTokens1796164845263 } from '../../migrations/1796164845263-UsersAndTokens';
import { AuditOutbox1796164754791 } from '../../migrations/1796164754791-AuditOutbox';
import { BigintIds1796165474229 } from '../../migrations/1796165474229-BigintIds';
import { SharedQueueSequence1796166904127 } from '../../migrations/1796166904127-SharedQueueSequence';
import { JobIdleDeadline1796170303332 } from '../../migrations/1796170303332-JobIdleDeadline';
import { RequestsV21796175350980 } from '../../migrations/1796175350980-RequestsV2';
import { WorkerMaintenanceOrder1796175411928 } from '../../migrations/1796175411928-WorkerMaintenanceOrder';
import { JobExpiryWarning1796176404457 } from '../../migrations/1796176404457-JobExpiryWarning';
import { JobKeyRevealed1796177792820 } from '../../migrations/1796177792820-JobKeyRevealed';

/** Every migration, in order. A new migration is appended here (the generate script says so). */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  Init1795328400000,
  AuditOutbox1796164754791,
  DeregisteredWorkers1796164819329,
  UsersAndTokens1796164845263,
  BigintIds1796165474229,
  RequestUnservableNote1796166142823,
  SharedQueueSequence1796166904127,
  JobIdleDeadline1796170303332,
  RequestsV21796175350980,
  WorkerMaintenanceOrder1796175411928,
  JobExpiryWarning1796176404457,
  JobKeyRevealed1796177792820,
];
