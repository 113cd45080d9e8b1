import { DomainEvent } from './domain-event';

/** Dates travel as `{ "$date": <epoch ms> }`, so they come back as Dates, not strings. */
const DATE = '$date';

/**
 * A domain event as text and back, for the audit table's payload column (the outbox other
 * server instances read, and what the event stream of API v2 replays). Events hold views only (no keys, see domain-event.ts), so the text
 * holds no secret either.
 */
export function encodeEvent(event: DomainEvent): string {
  return JSON.stringify(event, function (this: Record<string, unknown>, key, value: unknown) {
    // JSON.stringify has already applied Date.toJSON to `value`; the holder still has the Date.
    const original = key === '' ? value : this[key];
    return original instanceof Date ? { [DATE]: original.getTime() } : value;
  });
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
