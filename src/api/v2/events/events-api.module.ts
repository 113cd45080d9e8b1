import { Module } from '@nestjs/common';
import { ClusterModule } from '../../../cluster/cluster.module';
import { AuditFeed } from './audit-feed.service';
import { AuditReplay } from './audit-replay.query';
import { EventPresenter } from './event-presenter.service';
import { EventStreams } from './event-streams.service';
import { EventsController } from './events.controller';
import { RequestOwners } from './request-owners.service';

/** The event stream and the audit log of API v2. */
@Module({
  imports: [ClusterModule],
  controllers: [EventsController],
  providers: [AuditFeed, AuditReplay, EventPresenter, EventStreams, RequestOwners],
  exports: [AuditFeed, EventPresenter, RequestOwners, EventStreams],
})
export class EventsApiModule {}
