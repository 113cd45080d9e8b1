import { useState } from 'preact/hooks';
import { api, get, post } from '../api';
import { ActionButton, ErrorLine, TextField, splitList } from '../components/bits';
import { useLiveRefresh } from '../events';
import { localTime } from '../time';
import type { Token, User } from '../types';
import { useLoad } from '../use-load';

/** Admins: users (create, delete) and their tokens (issue, shown once; revoke). */
export function Users() {
  const users = useLoad(() => get<User[]>('/api/v2/users'), []);
  useLiveRefresh(['user.', 'token.'], users.reload);
  return (
    <section>
      <NewUser onMade={users.reload} />
      <ErrorLine error={users.error} />
      {(users.data ?? []).map((u) => (
        <UserCard key={u.id} user={u} onChanged={users.reload} />
      ))}
    </section>
  );
}

function NewUser({ onMade }: { onMade: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('tester');
  const [groups, setGroups] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const list = splitList(groups);
      await post('/api/v2/users', { name: name.trim(), role, groups: list });
      setName('');
      onMade();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <form class="card form-row" onSubmit={submit}>
      <TextField
        label="User name"
        placeholder="new user's name"
        value={name}
        onValue={setName}
        required
      />
      <select
        aria-label="Role"
        value={role}
        onChange={(e) => setRole((e.target as HTMLSelectElement).value)}
      >
        <option value="tester">tester</option>
        <option value="admin">admin</option>
      </select>
      <TextField
        label="Groups"
        placeholder="groups: lab-a, lab-b"
        value={groups}
        onValue={setGroups}
      />
      <button type="submit">Add user</button>
      <ErrorLine error={error} />
    </form>
  );
}

function UserCard({ user, onChanged }: { user: User; onChanged: () => void }) {
  const tokens = useLoad(() => get<Token[]>(`/api/v2/users/${user.id}/tokens`), [user.id]);
  useLiveRefresh(['token.'], tokens.reload);
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <article class="card user" data-user={user.name}>
      <header>
        <strong>{user.name}</strong> <span class="badge">{user.role}</span>{' '}
        <span class="muted">
          groups: {user.groups.length ? user.groups.join(', ') : 'none'}; best priority{' '}
          {user.bestPriority}
        </span>
        <ActionButton
          label="Delete"
          danger
          confirm={`Delete user ${user.name} and all their tokens?`}
          run={async () => {
            await api('DELETE', `/api/v2/users/${user.id}`);
            onChanged();
          }}
        />
      </header>
      <ErrorLine error={tokens.error} />
      <ul class="tokens">
        {(tokens.data ?? []).map((t) => (
          <li key={t.id} class={t.revokedAt ? 'muted' : ''} data-token={t.label}>
            {t.label} <span class="muted">created {localTime(t.createdAt)}</span>
            {t.lastUsedAt && <span class="muted">, used {localTime(t.lastUsedAt)}</span>}
            {t.expiresAt && <span class="muted">, expires {localTime(t.expiresAt)}</span>}
            {t.revokedAt ? (
              <span class="revoked"> revoked {localTime(t.revokedAt)}</span>
            ) : (
              <ActionButton
                label="Revoke"
                danger
                confirm={`Revoke token "${t.label}"? Its sessions end too.`}
                run={async () => {
                  await post(`/api/v2/tokens/${t.id}/revoke`);
                  tokens.reload();
                }}
              />
            )}
          </li>
        ))}
      </ul>
      <div class="form-row">
        <TextField
          label="Token label"
          placeholder="new token's label, e.g. laptop"
          value={label}
          onValue={setLabel}
        />
        <ActionButton
          label="Issue token"
          run={async () => {
            const issued = await post<Token & { secret: string }>(
              `/api/v2/users/${user.id}/tokens`,
              { label: label.trim() },
            );
            setSecret(issued.secret);
            setLabel('');
            tokens.reload();
          }}
        />
      </div>
      {secret && (
        <p class="secret">
          New token (shown once, give it to {user.name}): <code>{secret}</code>{' '}
          <button type="button" onClick={() => setSecret(null)}>
            Hide
          </button>
        </p>
      )}
    </article>
  );
}
