import { useState } from 'preact/hooks';
import { api } from '../api';
import type { Whoami } from '../types';
import { ErrorLine } from './bits';

/**
 * Log in with a token. The token goes to POST /api/v2/session once and is dropped from the
 * page right after: the server answers with an HttpOnly cookie no script can read.
 */
export function Login({ onLogin }: { onLogin: (me: Whoami) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api<Whoami>('POST', '/api/v2/session', { token: token.trim() });
      setToken('');
      onLogin(me);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Leshy</h1>
      <form onSubmit={submit} autocomplete="off">
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          placeholder="lsy_…"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit" disabled={busy}>
          Log in
        </button>
        <ErrorLine error={error} />
        <p class="muted">
          An admin gives you a token (<code>leshy-admin</code> or the Users page). The dashboard
          keeps a session cookie, never the token.
        </p>
      </form>
    </main>
  );
}
