import { get, getAll } from '../api';
import { CapsText, ErrorLine, StateBadge } from '../components/bits';
import { useLiveRefresh } from '../events';
import { localTime, until, useNow } from '../time';
import type { AuditEntry, LabRequest, Whoami } from '../types';
import { useLoad } from '../use-load';
import { ExplainView } from './Queue';
import { RequestActions } from './request-actions';

/** What one audit entry says happened, in a line. */
function describe(entry: AuditEntry): string {
  if (entry.from || entry.to) return `${entry.type}: ${entry.from ?? '–'} → ${entry.to ?? '–'}`;
  return entry.type;
}

/** A request's page: what it is now, and its life from the audit log, updating live. */
export function RequestPage({ id, me }: { id: number; me: Whoami }) {
  const request = useLoad(() => get<LabRequest>(`/api/v2/requests/${id}`), [id]);
  const life = useLoad(() => getAll<AuditEntry>(`/api/v2/audit?request=${id}`), [id]);
  const reload = () => {
    request.reload();
    life.reload();
  };
  useLiveRefresh(['request.', 'job.'], reload, (e) => e.requestId === id || e.requestId == null);
  const now = useNow();
  const r = request.data;
  const entries = [...(life.data ?? [])].sort((a, b) => a.id - b.id);
  return (
    <section>
      <h2>Request #{id}</h2>
      <ErrorLine error={request.error} />
      {r && (
        <div class="card request" data-state={r.state}>
          <p>
            <StateBadge state={r.state} /> priority {r.priority}, owner {r.owner}
          </p>
          <p>
            <CapsText caps={r.caps} />
          </p>
          <dl>
            <dt>Created</dt>
            <dd>{localTime(r.createdAt)}</dd>
            <dt>Deadline</dt>
            <dd>{localTime(r.deadline)}</dd>
            {r.job && (
              <>
                <dt>Board</dt>
                <dd>
                  <code>{r.job.workerUuid}</code>
                </dd>
                <dt>Job</dt>
                <dd>
                  started {localTime(r.job.startedAt)}
                  {!r.job.endedAt && <>, {until(r.job.timeoutAt, now)} left</>}, prolonged{' '}
                  {r.job.prolongCount}×
                </dd>
              </>
            )}
            {r.ended && (
              <>
                <dt>Ended</dt>
                <dd>
                  {r.ended.how}
                  {r.ended.reason ? `: ${r.ended.reason}` : ''} ({r.ended.by},{' '}
                  {localTime(r.ended.at)})
                </dd>
              </>
            )}
            {r.unservable && (
              <>
                <dt>Unservable</dt>
                <dd class="warn">{r.unservable}</dd>
              </>
            )}
          </dl>
          <RequestActions request={r} me={me} onDone={reload} />
          {r.state === 'WAITING' && <ExplainView id={r.id} />}
        </div>
      )}
      <h3>Life</h3>
      <ErrorLine error={life.error} />
      <ol class="timeline">
        {entries.map((e) => (
          <li key={e.id} data-type={e.type}>
            <time>{localTime(e.at)}</time> <strong>{describe(e)}</strong>{' '}
            <span class="muted">by {e.actor}</span>
            {e.reason && <span> — {e.reason}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}
