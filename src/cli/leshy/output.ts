/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

/** A command's result: JSON (`--json`, for scripts) or the human form. */
export function emit(io: Io, json: boolean, value: unknown, human: () => string): void {
  if (json) io.stdout.write(JSON.stringify(value, null, 2) + '\n');
  else {
    const text = human();
    if (text) io.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
}

/** A plain text table: a header row, columns padded to the widest cell, no trailing spaces. */
export function table(
  headers: string[],
  rows: Array<Array<string | number | null | undefined>>,
): string {
  const cells = [
    headers,
    ...rows.map((row) =>
      row.map((c) => (c === null || c === undefined || c === '' ? '-' : String(c))),
    ),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key: value` lines, the keys aligned; null and empty values left out. */
export function fields(pairs: Array<[string, string | number | null | undefined]>): string {
  const shown = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${(k + ':').padEnd(width + 1)} ${v}`).join('\n');
}

/** `{"board":"rpi4","arch":["a","b"]}` → `board=rpi4,arch=a|b` (the --caps syntax). */
export function formatCaps(caps: Record<string, unknown> | null | undefined): string {
  return Object.entries(caps ?? {})
    .map(([key, value]) => {
      if (Array.isArray(value)) return `${key}=${value.join('|')}`;
      if (value && typeof value === 'object') {
        const v = value as Record<string, unknown>;
        if ('not' in v) return `${key}!=${Array.isArray(v.not) ? v.not.join('|') : String(v.not)}`;
        const bounds = [
          'min' in v ? `${key}>=${String(v.min)}` : '',
          'max' in v ? `${key}<=${String(v.max)}` : '',
        ].filter(Boolean);
        if (bounds.length) return bounds.join(',');
        return `${key}=${JSON.stringify(value)}`;
      }
      return `${key}=${String(value)}`;
    })
    .join(',');
}

/** A time span in the largest two units: `2h 5m`, `45s`, `3d 4h`. Negative spans read as 0s. */
export function formatSpan(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (s >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** How long until `iso` from `now`: `in 12m`, or `12m ago`. */
export function relative(iso: string | null | undefined, now = Date.now()): string | null {
  if (!iso) return null;
  const delta = Date.parse(iso) - now;
  if (Number.isNaN(delta)) return iso;
  return delta >= 0 ? `in ${formatSpan(delta)}` : `${formatSpan(-delta)} ago`;
}

/** A time for people: `2026-12-02 10:00:00Z (in 12m)`. */
export function when(iso: string | null | undefined, now = Date.now()): string | null {
  if (!iso) return null;
  const short = iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return `${short} (${relative(iso, now)})`;
}

/** 1536 → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
