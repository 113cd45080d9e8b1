import { useState } from 'preact/hooks';
import { get, getAll, Page, post } from '../api';
import { CapsText, ErrorLine, StateBadge, TextField, parseCaps } from '../components/bits';
import { useLiveRefresh } from '../events';
import { href } from '../router';
import { localTime, until, useNow } from '../time';
import type { LabRequest, Whoami } from '../types';
import { useLoad } from '../use-load';
import { RequestActions } from './request-actions';

/** A tester's own requests: file one, prolong or close what is open. */
export function MyRequests({ me }: { me: Whoami }) {
  // Every open request, and one page of the latest (a long history is not read for this).
  const mine = useLoad(
    () =>
      Promise.all([
        getAll<LabRequest>('/api/v2/requests?owner=me&state=WAITING,IN%20PROGRESS&sort=-id'),
        get<Page<LabRequest>>('/api/v2/requests?owner=me&sort=-id&limit=30'),
      ]).then(([open, latest]) => [
        ...open,
        ...latest.items.filter((r) => !open.some((o) => o.id === r.id)),
      ]),
    [],
  );
  useLiveRefresh(['request.', 'job.'], mine.reload);
  const now = useNow();
  const open = (mine.data ?? []).filter((r) => r.state === 'WAITING' || r.state === 'IN PROGRESS');
  const done = (mine.data ?? []).filter((r) => !open.includes(r)).slice(0, 20);
  return (
    <section>
      <FileRequest onFiled={mine.reload} bestPriority={me.bestPriority} />
      <h2>Open</h2>
      <ErrorLine error={mine.error} />
      <RequestList requests={open} me={me} now={now} onDone={mine.reload} />
      {open.length === 0 && <p class="muted">No open request.</p>}
      <h2>Recently ended</h2>
      <RequestList requests={done} me={me} now={now} onDone={mine.reload} />
    </section>
  );
}

function RequestList(props: {
  requests: LabRequest[];
  me: Whoami;
  now: number;
  onDone: () => void;
}) {
  return (
    <ul class="requests">
      {props.requests.map((r) => (
        <li key={r.id} class="card" data-request={r.id} data-state={r.state}>
          <a href={href('requests', r.id)}>#{r.id}</a> <StateBadge state={r.state} /> p{r.priority}{' '}
          <CapsText caps={r.caps} />
          {r.job && !r.job.endedAt && (
            <span class="time-left"> {until(r.job.timeoutAt, props.now)} left</span>
          )}
          {r.ended && (
            <span class="muted">
              {' '}
              {r.ended.how}, {localTime(r.ended.at)}
            </span>
          )}
          <RequestActions request={r} me={props.me} onDone={props.onDone} />
        </li>
      ))}
    </ul>
  );
}

/** File a request: caps (`board=rpi4, arch=arm64`), priority, and optionally one's own key. */
function FileRequest({ onFiled, bestPriority }: { onFiled: () => void; bestPriority: number }) {
  const [caps, setCaps] = useState('');
  const [priority, setPriority] = useState(String(Math.max(8, bestPriority)));
  const [publicKey, setPublicKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [filed, setFiled] = useState<LabRequest | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const body: Record<string, unknown> = { caps: parseCaps(caps), priority: Number(priority) };
      if (publicKey.trim()) body.publicKey = publicKey.trim();
      setFiled(await post<LabRequest>('/api/v2/requests', body));
      onFiled();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <form class="card file-request" onSubmit={submit}>
      <h2>File a request</h2>
      <div class="form-row">
        <TextField
          label="Caps"
          name="caps"
          placeholder="caps: board=rpi4, arch=arm64"
          value={caps}
          onValue={setCaps}
          required
        />
        <label>
          Priority{' '}
          <input
            name="priority"
            type="number"
            min={bestPriority}
            max={16}
            value={priority}
            onInput={(e) => setPriority((e.target as HTMLInputElement).value)}
          />
        </label>
      </div>
      <div class="form-row">
        <TextField
          label="Public key"
          name="publicKey"
          placeholder="your SSH public key (optional): ssh-ed25519 AAAA…"
          value={publicKey}
          onValue={setPublicKey}
        />
        <button type="submit">File</button>
      </div>
      <ErrorLine error={error} />
      {filed && (
        <p class="ok">
          Filed <a href={href('requests', filed.id)}>#{filed.id}</a> ({filed.state}).
        </p>
      )}
    </form>
  );
}
