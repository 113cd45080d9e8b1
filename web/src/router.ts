import { useEffect, useState } from 'preact/hooks';

/**
 * Pages are addressed by the URL's fragment (`#/queue`, `#/requests/42`): links work, the back
 * button works, and the server needs no fallback route that could shadow an API path.
 */
export function useRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'boards').split('/');
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export const href = (...parts: Array<string | number>) => `#/${parts.join('/')}`;
