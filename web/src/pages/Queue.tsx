import { useState } from 'preact/hooks';
import { get, getAll } from '../api';
import { CapsText, ErrorLine } from '../components/bits';
import { useLiveRefresh } from '../events';
import { href } from '../router';
import { localTime, since, useNow } from '../time';
import type { Explain, LabRequest } from '../types';
import { useLoad } from '../use-load';

/**
 * Queue: WAITING requests by priority (then age, as the matcher serves them), with their
 * position, owner and age; a click asks the server why one is (not) scheduled.
 */
export function Queue() {
  const waiting = useLoad(
    () => getAll<LabRequest>('/api/v2/requests?state=WAITING&sort=priority'),
    [],
  );
  useLiveRefresh(['request.', 'job.'], waiting.reload);
  const [open, setOpen] = useState<number | null>(null);
  const now = useNow();
  const queue = [...(waiting.data ?? [])].sort((a, b) => a.priority - b.priority || a.id - b.id);
  return (
    <section>
      <h2>Queue ({queue.length} waiting)</h2>
      <ErrorLine error={waiting.error} />
      <div class="table-wrap">
        <table class="queue">
          <thead>
            <tr>
              <th>#</th>
              <th>Request</th>
              <th>Priority</th>
              <th>Owner</th>
              <th>Caps</th>
              <th>Age</th>
              <th>Deadline</th>
            </tr>
          </thead>
          <tbody>
            {queue.map((r, i) => (
              <>
                <tr
                  key={r.id}
                  class="clickable"
                  data-request={r.id}
                  onClick={() => setOpen(open === r.id ? null : r.id)}
                >
                  <td>{i + 1}</td>
                  <td>
                    <a href={href('requests', r.id)} onClick={(e) => e.stopPropagation()}>
                      #{r.id}
                    </a>
                  </td>
                  <td>{r.priority}</td>
                  <td>{r.owner}</td>
                  <td>
                    <CapsText caps={r.caps} />
                  </td>
                  <td>{since(r.createdAt, now)}</td>
                  <td>{localTime(r.deadline)}</td>
                </tr>
                {open === r.id && (
                  <tr key={`${r.id}-explain`} class="explain-row">
                    <td colSpan={7}>
                      <ExplainView id={r.id} />
                    </td>
                  </tr>
                )}
              </>
            ))}
          </tbody>
        </table>
      </div>
      {queue.length === 0 && !waiting.error && <p class="muted">Nothing is waiting.</p>}
    </section>
  );
}

/** Why a request is (not) scheduled, worker by worker (GET /api/v2/requests/:id/explain). */
export function ExplainView({ id }: { id: number }) {
  const explain = useLoad(() => get<Explain>(`/api/v2/requests/${id}/explain`), [id]);
  useLiveRefresh(['request.', 'worker.', 'job.'], explain.reload);
  const e = explain.data;
  if (explain.error) return <ErrorLine error={explain.error} />;
  if (!e) return <p class="muted">Asking the server…</p>;
  return (
    <div class="explain">
      <p class="summary">{e.summary}</p>
      {e.position && (
        <p>
          Position {e.position.overall} overall, {e.position.inPriority} in its priority
          {e.ready ? '' : '; not valid yet'}
          {e.estimatedStart ? `; estimated start ${localTime(e.estimatedStart)}` : ''}
        </p>
      )}
      {e.missingCaps.length > 0 && <p class="warn">No board has: {e.missingCaps.join(', ')}</p>}
      <ul>
        {e.workers.map((w) => (
          <li key={w.uuid}>
            <code>{w.uuid.slice(0, 8)}</code>{' '}
            <span class={`reason reason-${w.reason}`}>{w.reason}</span> {w.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
