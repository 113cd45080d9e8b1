import type { DomainEventType } from '../../../events/domain-event';
import { EVENT_TYPE_NAMES } from '../../../events/event-type-names';

/** Every event type the stream and the audit log carry (docs/events.md describes each). */
export const EVENT_TYPES: readonly DomainEventType[] = EVENT_TYPE_NAMES;
