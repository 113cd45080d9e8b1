import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/**
 * Loads `fetcher`'s data now and whenever `reload` is called (the live refresh calls it); the
 * last answer stays on screen while the next one loads, so live updates never flicker.
 */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const load = useCallback(() => {
    const mine = ++generation.current;
    fetcher().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
    // The caller lists what the fetcher depends on, as with useEffect.
  }, deps);
  useEffect(load, [load]);
  return { data, error, reload: load };
}
