import { useEffect, useState } from 'preact/hooks';
import { api, getAll, post } from '../api';
import {
  ActionButton,
  CapsText,
  ErrorLine,
  StateBadge,
  TextField,
  parseCaps,
  splitList,
} from '../components/bits';
import { useLiveRefresh } from '../events';
import { href } from '../router';
import { localTime, until, useNow } from '../time';
import type { Whoami, Worker } from '../types';
import { useLoad } from '../use-load';

const STATES = ['IDLE', 'RUNNING', 'PREPARE', 'BUSY', 'MAINTENANCE', 'FAILED'];

/** Whether `worker` has every cap of the filter (`board=rpi4, arch=arm64`). */
function hasCaps(worker: Worker, filter: Record<string, string>): boolean {
  return Object.entries(filter).every(([k, v]) => worker.caps[k] === v);
}

/** Boards: every worker with its state, caps, groups, job, failures; filters; admin actions. */
export function Boards({ me }: { me: Whoami }) {
  const workers = useLoad(() => getAll<Worker>('/api/v2/workers'), []);
  useLiveRefresh(['worker.', 'job.'], workers.reload);
  const [capsFilter, setCapsFilter] = useState('');
  const [stateFilter, setStateFilter] = useState<string[]>([]);
  const now = useNow();
  let caps: Record<string, string> = {};
  let filterError: string | null = null;
  try {
    caps = parseCaps(capsFilter);
  } catch (failure) {
    filterError = (failure as Error).message;
  }
  const shown = (workers.data ?? []).filter(
    (w) => (stateFilter.length === 0 || stateFilter.includes(w.state)) && hasCaps(w, caps),
  );
  const toggle = (state: string) =>
    setStateFilter(
      stateFilter.includes(state)
        ? stateFilter.filter((s) => s !== state)
        : [...stateFilter, state],
    );
  return (
    <section>
      <div class="toolbar">
        <TextField
          label="Filter by caps"
          placeholder="caps filter: board=rpi4, arch=arm64"
          value={capsFilter}
          onValue={setCapsFilter}
        />
        <div class="chips" role="group" aria-label="Filter by state">
          {STATES.map((s) => (
            <label key={s} class={`chip ${stateFilter.includes(s) ? 'on' : ''}`}>
              <input type="checkbox" checked={stateFilter.includes(s)} onChange={() => toggle(s)} />
              {s}
            </label>
          ))}
        </div>
        <span class="muted">
          {shown.length} of {workers.data?.length ?? 0} boards
        </span>
      </div>
      <ErrorLine error={filterError ?? workers.error} />
      <div class="grid">
        {shown.map((w) => (
          <BoardCard
            key={w.uuid}
            worker={w}
            now={now}
            admin={me.role === 'admin'}
            onChanged={workers.reload}
          />
        ))}
      </div>
    </section>
  );
}

/** The caps to show: a cap that repeats the board's UUID (agents may add one) says nothing new. */
function capsBesidesUuid(worker: Worker): Record<string, string> {
  return Object.fromEntries(Object.entries(worker.caps).filter(([, v]) => v !== worker.uuid));
}

function BoardCard(props: { worker: Worker; now: number; admin: boolean; onChanged: () => void }) {
  const { worker: w, now, admin } = props;
  return (
    <article class="card board" data-uuid={w.uuid} data-state={w.state}>
      <header>
        <StateBadge state={w.state} />
        <code class="uuid" title={w.uuid}>
          {w.uuid.slice(0, 8)}
        </code>
      </header>
      <CapsText caps={capsBesidesUuid(w)} />
      <dl>
        <dt>Groups</dt>
        <dd class="groups">
          {w.groups.length ? w.groups.join(', ') : <span class="muted">none</span>}
        </dd>
        {w.job && (
          <>
            <dt>Job</dt>
            <dd>
              <a href={href('requests', w.job.requestId)}>#{w.job.requestId}</a> {w.job.owner},{' '}
              <span class="time-left">{until(w.job.timeoutAt, now)} left</span>
            </dd>
          </>
        )}
        {w.maintenance && (
          <>
            <dt>Maintenance</dt>
            <dd class="maintenance-message">
              {w.maintenance.message}
              {w.maintenance.drain ? ' (draining)' : ''}{' '}
              <span class="muted">— {w.maintenance.by}</span>
            </dd>
          </>
        )}
        {(w.failReason || w.lastFailure) && (
          <>
            <dt>Last failure</dt>
            <dd class="fail-reason">
              {w.failReason ?? w.lastFailure?.reason}{' '}
              {w.lastFailure && <span class="muted">{localTime(w.lastFailure.at)}</span>}
            </dd>
          </>
        )}
        <dt>Failures, 24 h</dt>
        <dd class={w.failuresLastDay > 0 ? 'warn' : ''}>{w.failuresLastDay}</dd>
      </dl>
      {admin && <BoardAdmin worker={w} onChanged={props.onChanged} />}
    </article>
  );
}

/** Admin actions on one board: maintenance (message, drain), idle, groups, deregister. */
function BoardAdmin({ worker: w, onChanged }: { worker: Worker; onChanged: () => void }) {
  const [message, setMessage] = useState('');
  const [drain, setDrain] = useState(false);
  const [groups, setGroups] = useState(w.groups.join(', '));
  // When the board's groups change (this page, another admin, the CLI), the field shows them:
  // a field left at the old ones would put them back on the next "Set groups".
  const current = w.groups.join(', ');
  useEffect(() => setGroups(current), [current]);
  const base = `/api/v2/workers/${w.uuid}`;
  // The stream brings the change too; reading at once shows it without waiting for it.
  const then = (call: Promise<unknown>) => call.then(onChanged);
  return (
    <details class="admin">
      <summary>Admin</summary>
      <div class="form-row">
        <TextField
          label="Maintenance message"
          placeholder="maintenance message"
          value={message}
          onValue={setMessage}
        />
        <label>
          <input
            type="checkbox"
            checked={drain}
            onChange={(e) => setDrain((e.target as HTMLInputElement).checked)}
          />{' '}
          drain
        </label>
        <ActionButton
          label="Maintenance"
          run={() => then(post(`${base}/maintenance`, { message, drain }))}
        />
      </div>
      <div class="form-row">
        <ActionButton label="Set idle" run={() => then(post(`${base}/idle`))} />
        <ActionButton
          label="Deregister"
          danger
          confirm={`Deregister board ${w.uuid}? Its agent must be admitted again to come back.`}
          run={() => then(api('DELETE', base))}
        />
      </div>
      <div class="form-row">
        <TextField
          label="Groups"
          placeholder="groups: lab-a, lab-b"
          value={groups}
          onValue={setGroups}
        />
        <ActionButton
          label="Set groups"
          run={() => then(api('PUT', `${base}/groups`, { groups: splitList(groups) }))}
        />
      </div>
    </details>
  );
}
