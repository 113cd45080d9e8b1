import { useEffect, useRef } from 'preact/hooks';
import { EVENT_TYPE_NAMES } from '../../src/events/event-type-names';

/**
 * The live side of the dashboard: one EventSource on GET /api/v2/events (same origin, so the
 * session cookie goes with it). EventSource reconnects by itself and sends Last-Event-ID, so a
 * dropped connection misses nothing. Pages subscribe to event type prefixes and re-read what
 * they show when one arrives.
 */
export interface LabEvent {
  id: number;
  type: string;
  at: string;
  requestId?: number | null;
  workerUuid?: string | null;
  [more: string]: unknown;
}

type Listener = (event: LabEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;
let statusListener: (live: boolean) => void = () => {};

export function connectEvents(onStatus: (live: boolean) => void): () => void {
  statusListener = onStatus;
  source = new EventSource('/api/v2/events', { withCredentials: true });
  const deliver = (message: MessageEvent<string>) => {
    let event: LabEvent;
    try {
      event = JSON.parse(message.data) as LabEvent;
    } catch {
      return;
    }
    for (const listener of listeners) listener(event);
  };
  // SSE `event:` names are matched exactly by EventSource, so every type is listened to.
  for (const type of EVENT_TYPE_NAMES) source.addEventListener(type, deliver);
  source.addEventListener('message', deliver);
  source.onopen = () => statusListener(true);
  source.onerror = () => statusListener(false);
  return () => {
    source?.close();
    source = null;
  };
}

/**
 * Calls `refresh` (at most every `delayMs`) when an event whose type starts with one of
 * `prefixes` arrives; a burst of events causes one re-read, not one per event.
 */
export function useLiveRefresh(
  prefixes: string[],
  refresh: () => void,
  matches: (event: LabEvent) => boolean = () => true,
  delayMs = 250,
): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  const match = useRef(matches);
  match.current = matches;
  const key = prefixes.join(',');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const listener: Listener = (event) => {
      if (!prefixes.some((p) => event.type.startsWith(p)) || !match.current(event)) return;
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        latest.current();
      }, delayMs);
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (timer) clearTimeout(timer);
    };
  }, [key, delayMs]);
}
