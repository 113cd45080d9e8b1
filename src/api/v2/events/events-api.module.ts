import { Module } from '@nestjs/common';
import { ClusterModule } from '../../../cluster/cluster.module';
import { AuditController } from '../audit/audit.controller';
import { AuditLog } from '../audit/audit-log.query';
import { AuditFeed } from './audit-feed.service';
import { AuditReplay } from './audit-replay.query';
import { EventPresenter } from './event-presenter.service';
import { EventStreams } from './event-streams.service';
import { EventsController } from './events.controller';
import { RequestOwners } from './request-owners.service';
import { SnapshotFacts } from './snapshot-facts.service';
import { JobsModule } from '../../../jobs/jobs.module';
import { RequestsModule } from '../../../requests/requests.module';
import { WorkersModule } from '../../../workers/workers.module';

/** The event stream and the audit log of API v2. */
@Module({
  imports: [ClusterModule, WorkersModule, JobsModule, RequestsModule],
  controllers: [EventsController, AuditController],
  providers: [
    AuditFeed,
    AuditReplay,
    AuditLog,
    EventPresenter,
    EventStreams,
    RequestOwners,
    SnapshotFacts,
  ],
  exports: [AuditFeed, EventPresenter, RequestOwners, EventStreams],
})
export class EventsApiModule {}
