import { useEffect, useState } from 'preact/hooks';
import { api, whenUnauthenticated } from './api';
import { Login } from './components/Login';
import { connectEvents } from './events';
import { Boards } from './pages/Boards';
import { MyRequests } from './pages/MyRequests';
import { Queue } from './pages/Queue';
import { RequestPage } from './pages/RequestPage';
import { Stats } from './pages/Stats';
import { Users } from './pages/Users';
import { href, useRoute } from './router';
import type { Whoami } from './types';

/** The dashboard: asks the server who the session is; the login form if none. */
export function App() {
  const [me, setMe] = useState<Whoami | null | undefined>(undefined);
  useEffect(() => {
    whenUnauthenticated(() => setMe(null));
    api<Whoami>('GET', '/api/v2/session').then(setMe, () => setMe(null));
  }, []);
  if (me === undefined) return <p class="muted">Loading…</p>;
  if (me === null) return <Login onLogin={setMe} />;
  return <Signed me={me} onLogout={() => setMe(null)} />;
}

function Signed({ me, onLogout }: { me: Whoami; onLogout: () => void }) {
  const route = useRoute();
  const [live, setLive] = useState(false);
  useEffect(() => connectEvents(setLive), []);
  const logout = async () => {
    await api('DELETE', '/api/v2/session').catch(() => undefined);
    onLogout();
  };
  const pages: Array<[string, string]> = [
    ['boards', 'Boards'],
    ['queue', 'Queue'],
    ['mine', 'My requests'],
    ['stats', 'Statistics'],
    ...(me.role === 'admin' ? ([['users', 'Users']] as Array<[string, string]>) : []),
  ];
  return (
    <>
      <header class="top">
        <strong class="brand">Leshy</strong>
        <nav>
          {pages.map(([key, title]) => (
            <a key={key} href={href(key)} class={route[0] === key ? 'current' : ''}>
              {title}
            </a>
          ))}
        </nav>
        <span class={`live ${live ? 'on' : ''}`} title="live updates from the event stream">
          {live ? 'live' : 'offline'}
        </span>
        <span class="who">
          {me.name.replace(/^user:/, '')} ({me.role})
        </span>
        <button type="button" onClick={logout}>
          Log out
        </button>
      </header>
      <main>{page(route, me)}</main>
    </>
  );
}

function page(route: string[], me: Whoami) {
  switch (route[0]) {
    case 'queue':
      return <Queue />;
    case 'mine':
      return <MyRequests me={me} />;
    case 'stats':
      return <Stats />;
    case 'users':
      return <Users />;
    case 'requests':
      return <RequestPage key={route[1]} id={Number(route[1])} me={me} />;
    default:
      return <Boards me={me} />;
  }
}
