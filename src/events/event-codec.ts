import { DomainEvent } from './domain-event';

/** Dates travel as `{ "$date": <epoch ms> }`, so they come back as Dates, not strings. */
const DATE = '$date';

/**
 * A domain event as text and back, for the audit table's payload column (the outbox other
 * server instances read, and what the event stream of API v2 replays). Events hold views only
 * (no keys, see domain-event.ts), so the text holds no secret either.
 */
export function encodeEvent(event: DomainEvent): string {
  return JSON.stringify(withTaggedDates(event));
}

/**
 * A copy with every Date as `{ "$date": <epoch ms> }`. A walk, then a plain stringify: about
 * five times faster than a replacer function, and every commit encodes its events.
 */
function withTaggedDates(value: unknown): unknown {
  if (value instanceof Date) return { [DATE]: value.getTime() };
  if (Array.isArray(value)) return value.map(withTaggedDates);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) copy[key] = withTaggedDates(field);
  }
  return copy;
}

/** The event `encodeEvent` wrote, as it was published. */
export function decodeEvent(text: string): DomainEvent {
  return JSON.parse(text, (_key, value: unknown) =>
    isDate(value) ? new Date(value[DATE]) : value,
  ) as DomainEvent;
}

/** The event `encodeEvent` wrote, marked as committed by another instance. */
export function decodeRemoteEvent(text: string): DomainEvent {
  return { ...decodeEvent(text), remote: true };
}

function isDate(value: unknown): value is { [DATE]: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as Record<string, unknown>)[DATE] === 'number'
  );
}
