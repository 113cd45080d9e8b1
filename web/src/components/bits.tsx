import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Caps, CapsAsk } from '../types';

/** A state as a coloured badge (colour by state name, see styles.css). */
export function StateBadge({ state }: { state: string }) {
  return <span class={`badge state-${state.toLowerCase().replace(/ /g, '-')}`}>{state}</span>;
}

export function CapsText({ caps }: { caps: CapsAsk }) {
  const entries = Object.entries(caps);
  if (entries.length === 0) return <span class="muted">any</span>;
  return (
    <span class="caps">
      {entries.map(([k, v]) => (
        <code key={k}>
          {k}={typeof v === 'string' ? v : JSON.stringify(v)}
        </code>
      ))}
    </span>
  );
}

export function ErrorLine({ error }: { error: string | null }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

/**
 * A button that runs an API call, disables itself meanwhile and shows the server's refusal
 * next to it (the API's `detail` says what was wrong).
 */
export function ActionButton(props: {
  label: string;
  run: () => Promise<unknown>;
  confirm?: string;
  danger?: boolean;
  children?: ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const click = async () => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    setBusy(true);
    setError(null);
    try {
      await props.run();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button type="button" class={props.danger ? 'danger' : ''} disabled={busy} onClick={click}>
        {props.label}
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/** `board=rpi4, arch=arm64` → caps; throws on a part without `=`. */
export function parseCaps(text: string): Caps {
  const caps: Caps = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`"${item}" is not key=value`);
    caps[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return caps;
}

/** A labelled text input bound to a state setter. */
export function TextField(props: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  placeholder?: string;
  name?: string;
  required?: boolean;
}) {
  return (
    <input
      aria-label={props.label}
      name={props.name}
      placeholder={props.placeholder}
      value={props.value}
      required={props.required}
      onInput={(e) => props.onValue((e.target as HTMLInputElement).value)}
    />
  );
}

/** `lab-a, lab-b` → `['lab-a', 'lab-b']`. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
