import { useEffect, useState } from 'preact/hooks';

/** `1h 05m`, `3m 20s`, `12s`: a duration for people. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export const secondsText = (seconds: number | null) =>
  seconds === null ? '–' : duration(seconds * 1000);

export const since = (iso: string, now: number) => duration(now - Date.parse(iso));
export const until = (iso: string, now: number) => duration(Date.parse(iso) - now);

export function localTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** The current time, ticking every second: ages and time left count without a reload. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
