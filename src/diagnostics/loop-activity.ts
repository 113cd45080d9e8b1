/**
 * Recent spans of work that can hold up the event loop (a sweep, a WAL checkpoint, a matching
 * pass), kept so that EventLoopStalls can say what was going on when the loop stalled. A plain
 * module-level ring, so any part of the server can mark its work without a dependency.
 */
export interface ActivitySpan {
  readonly label: string;
  readonly start: number;
  end: number;
}

/** Enough to cover a few seconds of activity; older spans are never looked at. */
const CAPACITY = 256;
const spans: ActivitySpan[] = [];
let next = 0;

function record(span: ActivitySpan): void {
  if (spans.length < CAPACITY) spans.push(span);
  else spans[next] = span;
  next = (next + 1) % CAPACITY;
}

/** Marks `label` as running from now until the returned function is called. */
export function beginActivity(label: string): () => void {
  const span: ActivitySpan = { label, start: performance.now(), end: Infinity };
  record(span);
  return () => (span.end = performance.now());
}

/** Records a span that is already over (e.g. a GC pause reported afterwards). */
export function recordActivity(label: string, start: number, end: number): void {
  record({ label, start, end });
}

/** Labels of the spans that overlap [start, end], most recent first; deduplicated. */
export function activitiesDuring(start: number, end: number): string[] {
  const labels = new Set<string>();
  for (let i = 1; i <= spans.length; i++) {
    const span = spans[(next - i + CAPACITY * 2) % spans.length];
    if (span.start <= end && span.end >= start) labels.add(span.label);
  }
  return [...labels];
}
