import { TokenEntity } from '../auth/token.entity';
import { UserEntity } from '../auth/user.entity';
import { AuditEventEntity } from '../events/audit-event.entity';
import { JobEntity } from '../jobs/job.entity';
import { ServerSettingEntity } from '../keys/server-setting.entity';
import { IdempotencyKeyEntity } from '../requests/idempotency-key.entity';
import { RequestEntity } from '../requests/request.entity';
import { DeregisteredWorkerEntity } from '../workers/deregistered-worker.entity';
import { WorkerEntity } from '../workers/worker.entity';

/** Every entity of the schema; the DataSource (app and CLI) is built from this list. */
export const ENTITIES = [
  RequestEntity,
  WorkerEntity,
  JobEntity,
  AuditEventEntity,
  ServerSettingEntity,
  DeregisteredWorkerEntity,
  UserEntity,
  TokenEntity,
  IdempotencyKeyEntity,
];
