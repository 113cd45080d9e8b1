import { post } from '../api';
import { ActionButton } from '../components/bits';
import type { LabRequest, Whoami } from '../types';

/** Whether `me` owns `request` (owner is the user name in API v2). */
export function owns(me: Whoami, request: LabRequest): boolean {
  return me.name === `user:${request.owner}`;
}

/** Prolong (a running job) and close: for the owner, and for admins. */
export function RequestActions(props: { request: LabRequest; me: Whoami; onDone: () => void }) {
  const { request: r, me } = props;
  if (!owns(me, r) && me.role !== 'admin') return null;
  const base = `/api/v2/requests/${r.id}`;
  const run = (action: string) => async () => {
    await post(`${base}/${action}`);
    props.onDone();
  };
  return (
    <div class="actions">
      {r.state === 'IN PROGRESS' && <ActionButton label="Prolong" run={run('prolong')} />}
      {(r.state === 'WAITING' || r.state === 'IN PROGRESS') && (
        <ActionButton label="Close" run={run('close')} confirm={`Close request #${r.id}?`} />
      )}
    </div>
  );
}
