/**
 * LESHY_* variables Leshy does not read: almost always a typo that silently leaves a default in
 * place (LESHY_AGENT_TOKN=… and agents cannot register). Warned about at start-up, with the
 * known name it is closest to.
 */

/** Read by the test suites only (test/support), never by the server. */
const TEST_ONLY = /^LESHY_TEST_/;

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known name `name` is most likely a misspelling of, if one is close enough. */
function nearest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (!best || d < best.distance) best = { name: candidate, distance: d };
  }
  // A third of the part after LESHY_ may be wrong, at least one character.
  const allowed = Math.max(1, Math.floor((name.length - 'LESHY_'.length) / 3));
  return best && best.distance <= allowed ? best.name : undefined;
}

/** One warning per LESHY_* variable in `env` that is not in `known`. */
export function unknownVariableWarnings(
  env: Record<string, string | undefined>,
  known: readonly string[],
): string[] {
  return Object.keys(env)
    .filter((name) => /^LESHY_/i.test(name) && !known.includes(name) && !TEST_ONLY.test(name))
    .sort()
    .map((name) => {
      const suggestion = nearest(name.toUpperCase(), known);
      return `${name} is not a Leshy variable and is ignored${suggestion ? `: did you mean ${suggestion}?` : ''} (see README, "Configuration")`;
    });
}
