import { Injectable } from '@nestjs/common';
import type { AuditRecord } from './audit-record';
import type { DomainEvent } from '../../../events/domain-event';
import { RequestState } from '../../../requests/request-state';
import { toRequestDto } from '../requests/request-view.dto';
import { toWorkerDto } from '../workers/worker-v2.view';
import { EventDto, RouteSnapshots, toEventDto } from './event-dto.mapper';
import { SnapshotFacts } from './snapshot-facts.service';
import { EventScope, scopeOf } from './event-scope';
import { RequestOwners } from './request-owners.service';

export interface PresentedEvent {
  scope: EventScope;
  dto: EventDto;
  /** The server-sent-events frame of it. */
  frame: string;
}

/**
 * Turns audit records into what clients see, once per record: a live record reaches every
 * stream as the same object, so its scope, body and frame are worked out once for all of them.
 */
@Injectable()
export class EventPresenter {
  private readonly done = new WeakMap<AuditRecord, Promise<PresentedEvent>>();

  constructor(
    private readonly owners: RequestOwners,
    private readonly facts: SnapshotFacts,
  ) {}

  present(record: AuditRecord): Promise<PresentedEvent> {
    let presented = this.done.get(record);
    if (!presented) {
      presented = this.build(record);
      this.done.set(record, presented);
    }
    return presented;
  }

  /** The request or worker as its route shows it, for the events about one. */
  private async routeSnapshots(event: DomainEvent | null): Promise<RouteSnapshots> {
    if (event && 'request' in event) {
      const { request } = event;
      const [ownerName, job] = await Promise.all([
        this.owners.nameOf(request.owner),
        JOB_STATES.includes(request.state) ? this.facts.jobOf(Number(request.id)) : null,
      ]);
      return { request: toRequestDto({ request, job, ownerName }) };
    }
    if (event && 'worker' in event)
      return { worker: toWorkerDto(event.worker, await this.facts.workerFacts(event.worker.uuid)) };
    return {};
  }

  private async build(record: AuditRecord): Promise<PresentedEvent> {
    const scope = await scopeOf(record, (id) => this.owners.ownerOf(id));
    const dto = toEventDto(record, scope, await this.routeSnapshots(record.event));
    return { scope, dto, frame: sseFrame(record.id, record.type, JSON.stringify(dto)) };
  }
}

/** A request's job exists from its start: only these states have one. */
const JOB_STATES: readonly string[] = [
  RequestState.InProgress,
  RequestState.Done,
  RequestState.Failed,
];

/** One server-sent event: JSON has no raw line breaks, so `data` is one line. */
export function sseFrame(id: number, type: string, data: string): string {
  return `id: ${id}\nevent: ${type}\ndata: ${data}\n\n`;
}
