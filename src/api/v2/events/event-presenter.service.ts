import { Injectable } from '@nestjs/common';
import type { AuditRecord } from './audit-record';
import { EventDto, toEventDto } from './event-dto.mapper';
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

  constructor(private readonly owners: RequestOwners) {}

  present(record: AuditRecord): Promise<PresentedEvent> {
    let presented = this.done.get(record);
    if (!presented) {
      presented = this.build(record);
      this.done.set(record, presented);
    }
    return presented;
  }

  private async build(record: AuditRecord): Promise<PresentedEvent> {
    const scope = await scopeOf(record, (id) => this.owners.ownerOf(id));
    const ownerName =
      record.event && 'request' in record.event
        ? await this.owners.nameOf(record.event.request.owner)
        : '';
    const dto = toEventDto(record, scope, ownerName);
    return { scope, dto, frame: sseFrame(record.id, record.type, JSON.stringify(dto)) };
  }
}

/** One server-sent event: JSON has no raw line breaks, so `data` is one line. */
export function sseFrame(id: number, type: string, data: string): string {
  return `id: ${id}\nevent: ${type}\ndata: ${data}\n\n`;
}
